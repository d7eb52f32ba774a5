import { Client } from 'pg';
import { Role } from '../src/platform/access/role';
import { AdvisoryLeases } from '../src/platform/leases/advisory-leases';
import { call, createKey, loginAdmin } from './support/auth-client';
import { freePort, requestJson, spawnServer, waitForStatus } from './support/server-process';
import { startTestApp, TEST_ADMIN, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

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

  it(`hands every one of ${BOTS} bots to a second instance within 10 s after the first is killed (SIGKILL)`, async () => {
    const database = await createTestDatabase();
    const [portA, portB] = [await freePort(), await freePort()];
    const env = (port: number, dir: string) => ({
      PORT: String(port),
      DATA_DIR: `${database.dataDir}/${dir}`,
      DATABASE_URL: database.databaseUrl!,
      // Both instances sign and read the same tokens.
      JWT_SECRET: 'many-bots-jwt-secret-0123456789abcdef',
      MASTER_KEY: 'ab'.repeat(32),
      ADMIN_USERNAME: TEST_ADMIN.username,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      MARKET_BACKFILL_DAYS: '1',
      RATE_LIMIT_CONTROL: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
      LOG_LEVEL: 'warn',
    });
    const first = spawnServer(env(portA, 'a'));
    let second: ReturnType<typeof spawnServer> | undefined;
    try {
      const a = `http://127.0.0.1:${portA}`;
      const b = `http://127.0.0.1:${portB}`;
      await waitForStatus(`${a}/api/health/live`, 200, 90_000);
      const login = await requestJson<{ accessToken: string }>(`${a}/api/auth/login`, {
        method: 'POST',
        body: JSON.stringify({ username: TEST_ADMIN.username, password: TEST_ADMIN.password }),
      });
      const token = login.body.accessToken;
      for (let i = 0; i < BOTS; i++) {
        const created = await requestJson(`${a}/api/bots`, {
          method: 'POST',
          token,
          body: JSON.stringify({
            name: `moved-${i}`,
            preset: 'breakout_v1',
            mode: 'paper',
            symbols: ['BTC/USDT'],
            start: true,
          }),
        });
        expect(created.status).toBe(201);
      }
      second = spawnServer(env(portB, 'b'));
      await waitForStatus(`${b}/api/health/live`, 200, 90_000);
      const runningAt = async (base: string) =>
        (
          await requestJson<{ items: Array<{ runningHere: boolean }> }>(`${base}/api/bots?limit=100`, {
            token,
          })
        ).body.items.filter((bot) => bot.runningHere).length;
      expect(await runningAt(a)).toBe(BOTS);
      expect(await runningAt(b)).toBe(0);

      first.child.kill('SIGKILL');
      await first.exited;
      const killedAt = Date.now();
      let taken = 0;
      while (taken < BOTS && Date.now() - killedAt < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        taken = await runningAt(b);
      }
      const elapsed = Date.now() - killedAt;
      expect(taken).toBe(BOTS);
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      if (second) await second.exited;
      await database.drop();
    }
  });
});
