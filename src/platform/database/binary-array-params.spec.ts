import { PGlite } from '@electric-sql/pglite';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import {
  float8ArrayFromBytes,
  float8ArrayParam,
  timestamptzArrayFromBytes,
  timestamptzArrayParam,
} from './binary-array-params';

const NUMBERS = [0, 1.5, -3e-9, 104.49970475764701, 12345678901234.566, Number.MAX_VALUE, 5e-324];
const INSTANTS = [Date.UTC(1999, 11, 31, 23, 59, 59, 999), 0, Date.UTC(2000, 0, 1), 1_795_000_000_123];

const ROUND_TRIP = `
  SELECT (SELECT array_agg(x::text ORDER BY n) FROM UNNEST($1::float8[]) WITH ORDINALITY AS u(x, n)) AS numbers,
         (SELECT array_agg((extract(epoch FROM t) * 1000)::bigint::text ORDER BY n)
            FROM UNNEST($2::timestamptz[]) WITH ORDINALITY AS u(t, n)) AS instants,
         pg_typeof($1::float8[])::text AS numbers_type`;

type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** The pass's database (PGlite, or PostgreSQL through node-postgres when DATABASE_URL is set). */
async function openDatabase(database: TestDatabase): Promise<{ query: Query; close(): Promise<void> }> {
  if (database.databaseUrl) {
    const client = new Client({ connectionString: database.databaseUrl });
    await client.connect();
    return {
      query: async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[],
      close: () => client.end(),
    };
  }
  const db = await PGlite.create(path.join(database.dataDir, 'pglite'));
  return {
    query: async <T>(sql: string, params: unknown[]) => (await db.query<T>(sql, params)).rows,
    close: () => db.close(),
  };
}

describe('binary arrays', () => {
  let database: TestDatabase;
  let db: Awaited<ReturnType<typeof openDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  describe('as parameters', () => {
    it('arrive as exactly the numbers and instants sent', async () => {
      const [row] = await db.query<{ numbers: string[]; instants: string[]; numbers_type: string }>(
        ROUND_TRIP,
        [float8ArrayParam(NUMBERS), timestamptzArrayParam(INSTANTS)],
      );
      expect(row.numbers_type).toBe('double precision[]');
      // PostgreSQL prints the shortest text that reads back as the same double: compare as numbers.
      expect(row.numbers.map(Number)).toEqual(NUMBERS);
      expect(row.instants.map(Number)).toEqual(INSTANTS);
    });

    it('send an empty list as an empty array', async () => {
      const [row] = await db.query<{ numbers: number; instants: number }>(
        'SELECT cardinality($1::float8[]) AS numbers, cardinality($2::timestamptz[]) AS instants',
        [float8ArrayParam([]), timestamptzArrayParam([])],
      );
      expect(row).toEqual({ numbers: 0, instants: 0 });
    });
  });

  describe('read with array_send', () => {
    it('read back as exactly the numbers and instants the server holds', async () => {
      // The values are made by the server from text, so the reading does not depend on the writing above.
      const [row] = await db.query<{ numbers: Uint8Array; instants: Uint8Array }>(
        `SELECT array_send(ARRAY[${NUMBERS.map((n) => `'${n}'::float8`).join(', ')}]) AS numbers,
              array_send(ARRAY[${INSTANTS.map((ms) => `to_timestamp(${ms} / 1000.0)`).join(', ')}]) AS instants`,
        [],
      );
      expect(float8ArrayFromBytes(row.numbers)).toEqual(NUMBERS);
      expect(timestamptzArrayFromBytes(row.instants)).toEqual(INSTANTS);
    });

    it('read an empty array as no values, and refuse an array with a null', async () => {
      const [row] = await db.query<{ empty: Uint8Array; holed: Uint8Array }>(
        `SELECT array_send('{}'::float8[]) AS empty, array_send(ARRAY[1, NULL]::float8[]) AS holed`,
        [],
      );
      expect(float8ArrayFromBytes(row.empty)).toEqual([]);
      expect(() => float8ArrayFromBytes(row.holed)).toThrow('without nulls');
    });
  });
});
