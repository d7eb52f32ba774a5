import type { DataSource } from 'typeorm';
import { EventEmitter } from 'node:events';
import { PGlite, types } from '@electric-sql/pglite';

type Callback = (error: Error | null, result?: unknown) => void;
type Release = (error?: Error | boolean) => void;
type ConnectCallback = (error: Error | null, client: PGliteClient | null, release: Release) => void;

interface QueryResultLike {
  rows: unknown[];
  rowCount: number;
  command?: string;
  fields?: unknown[];
}

/** One PGlite database per data folder, shared by every pool of this process that names it. */
const instances = new Map<string, Promise<PGlite>>();

function openInstance(dataDir: string | undefined): Promise<PGlite> {
  const key = dataDir ?? 'memory://';
  let instance = instances.get(key);
  if (!instance) {
    instance = PGlite.create({
      dataDir,
      // Match node-postgres: int8 arrives as a string, so both back ends hydrate entities alike.
      parsers: { [types.INT8]: (value: string) => value },
    });
    instance.catch(() => instances.delete(key));
    instances.set(key, instance);
  }
  return instance;
}

async function runQuery(db: PGlite, sql: string, params?: unknown[]): Promise<QueryResultLike> {
  if (params && params.length > 0) {
    const result = await db.query(sql, params);
    return result as unknown as QueryResultLike;
  }
  // Without parameters the text may hold several statements (migrations); like node-postgres,
  // answer with the last statement's result.
  const results = await db.exec(sql);
  const last = results[results.length - 1];
  return (last as unknown as QueryResultLike) ?? { rows: [], rowCount: 0 };
}

/** The connection TypeORM holds while it runs queries: a view of the one PGlite session. */
export class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  query(
    sql: string | { text: string; values?: unknown[] },
    params?: unknown[] | Callback,
    callback?: Callback,
  ): Promise<QueryResultLike> {
    const text = typeof sql === 'string' ? sql : sql.text;
    const values = typeof params === 'function' ? (typeof sql === 'string' ? undefined : sql.values) : params;
    const done = typeof params === 'function' ? params : callback;
    const promise = runQuery(this.db, text, values);
    if (done)
      promise.then(
        (result) => done(null, result),
        (error: Error) => done(error),
      );
    return promise;
  }
}

/**
 * A node-postgres-compatible pool over PGlite for TypeORM. PGlite is a single session, so the pool
 * hands out that session to one holder at a time: a transaction of one request can never interleave
 * with statements of another, as it cannot on a real server.
 */
export class PGlitePool extends EventEmitter {
  private readonly waiting: Array<() => void> = [];
  private busy = false;
  private ended = false;

  constructor(private readonly options: { dataDir?: string }) {
    super();
  }

  connect(callback?: ConnectCallback): Promise<PGliteClient> {
    const acquired = this.acquire().then(async () => {
      try {
        return new PGliteClient(await openInstance(this.options.dataDir));
      } catch (error) {
        this.releaseSlot();
        throw error;
      }
    });
    if (callback) {
      acquired.then(
        (client) => callback(null, client, () => this.releaseSlot()),
        (error: Error) => callback(error, null, () => undefined),
      );
    }
    return acquired;
  }

  async query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<QueryResultLike> {
    const client = await this.connect();
    try {
      return await client.query(sql, params, callback);
    } finally {
      this.releaseSlot();
    }
  }

  /**
   * One statement (or, without parameters, a block of them) for a caller outside TypeORM (the job
   * queue): every row of every statement comes back, and a failure inside a block rolls the session
   * back before the slot is released, so the next holder never inherits an aborted transaction.
   */
  async runStatements(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> {
    await this.acquire();
    try {
      const db = await openInstance(this.options.dataDir);
      if (params && params.length > 0) return await db.query(sql, params);
      try {
        const results = await db.exec(sql);
        return { rows: results.flatMap((result) => result.rows) };
      } catch (error) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      this.releaseSlot();
    }
  }

  end(callback?: (error?: Error | null) => void): Promise<void> {
    this.ended = true;
    const key = this.options.dataDir ?? 'memory://';
    const instance = instances.get(key);
    instances.delete(key);
    const closed = instance ? instance.then((db) => db.close()) : Promise.resolve();
    if (callback)
      closed.then(
        () => callback(null),
        (error: Error) => callback(error),
      );
    return closed;
  }

  private acquire(): Promise<void> {
    if (this.ended) return Promise.reject(new Error('PGlite pool has ended'));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

/** What TypeORM's `driver` option expects: a module with a Pool class. */
/** Marks the driver pgliteDriver makes, so code can tell the embedded database apart. */
const EMBEDDED = Symbol('embedded PGlite');

/** Whether a data source runs on the embedded PGlite (reads that are fast on a server can be slow here). */
export function isEmbedded(dataSource: DataSource): boolean {
  const driver = (dataSource.options as { driver?: unknown }).driver;
  return typeof driver === 'object' && driver !== null && EMBEDDED in driver;
}

export function pgliteDriver(dataDir: string | undefined): { Pool: new () => PGlitePool; [EMBEDDED]: true } {
  return {
    [EMBEDDED]: true,
    Pool: class extends PGlitePool {
      constructor() {
        super({ dataDir });
      }
    },
  };
}
