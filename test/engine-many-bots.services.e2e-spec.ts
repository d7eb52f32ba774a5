import { Client } from 'pg';
import { Role } from '../src/platform/access/role';
import { AdvisoryLeases } from '../src/platform/leases/advisory-leases';
import { call, createKey, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

const BOTS = 50;

// Fifty bots start and warm up on one PostgreSQL database; the deadline only stops a hang.
jest.setTimeout(300_000);

/**
 * Leases live on one connection of their own: fifty running bots take one connection, not fifty, so
 * the pool of ten stays free for the API.
 */
describe('many bots on one instance (PostgreSQL, pool of 10)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      MARKET_BACKFILL_DAYS: '1',
      RATE_LIMIT_CONTROL: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`runs ${BOTS} bots here, holds their leases on one connection, and the API answers meanwhile`, async () => {
    const admin = (await loginAdmin(t)).accessToken;
    const trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    const statuses: number[] = [];
    for (let i = 0; i < BOTS; i++) {
      const created = await call(t, 'POST', '/api/bots', {
        token: trader,
        body: { name: `many-${i}`, preset: 'breakout_v1', mode: 'paper', symbols: ['BTC/USDT'], start: true },
      });
      statuses.push(created.status);
    }
    expect(statuses).toEqual(Array(BOTS).fill(201));
    const bots = await call<{ items: Array<{ running: boolean; runningHere: boolean }>; total: number }>(
      t,
      'GET',
      '/api/bots?limit=100',
      { token: trader },
    );
    expect(bots.body.total).toBe(BOTS);
    expect(bots.body.items.filter((bot) => bot.running && bot.runningHere)).toHaveLength(BOTS);
    expect(t.app.get(AdvisoryLeases).count()).toBeGreaterThanOrEqual(BOTS);

    // The API still answers at once.
    for (const path of ['/api/health', '/api/orders?limit=5']) {
      const started = Date.now();
      const response = await call(t, 'GET', path, { token: trader });
      expect([path, response.status]).toEqual([path, 200]);
      expect(Date.now() - started).toBeLessThan(5_000);
    }

    // One connection holds every lock.
    const client = new Client({ connectionString: t.database.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ connections: string; locks: string }>(
        `SELECT count(DISTINCT a.pid) AS connections, count(*) AS locks
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND a.datname = current_database()`,
      );
      expect(Number(rows[0].connections)).toBe(1);
      expect(Number(rows[0].locks)).toBeGreaterThanOrEqual(BOTS);
    } finally {
      await client.end();
    }
  });
});
