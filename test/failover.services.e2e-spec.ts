import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, requestJson, ServerProcess, spawnServer, waitForStatus } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

jest.setTimeout(180_000);

const ADMIN = { username: 'failover-admin', password: 'failover-admin-password-1' };

interface EngineStatus {
  running: boolean;
  runningHere: boolean;
  state: string;
}

/**
 * Two server processes on one PostgreSQL and one Redis. The running bot is held by exactly one of
 * them (a PostgreSQL advisory lock); SIGKILL that one and the other takes the bot over.
 */
describe('a bot across two instances', () => {
  let database: TestDatabase;
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.exited));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('runs in exactly one instance and moves to the other within 10 s after a SIGKILL', async () => {
    const shared = {
      DATABASE_URL: database.databaseUrl!,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_NAMESPACE: `tp-failover-${randomUUID()}`,
      // Instances of one deployment share their secrets (sessions and sealed credentials).
      JWT_SECRET: randomBytes(32).toString('hex'),
      MASTER_KEY: randomBytes(32).toString('hex'),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      MARKET_BACKFILL_DAYS: '0',
      RATE_LIMIT_ADMIN: '1000000',
      RATE_LIMIT_CONTROL: '1000000',
      RATE_LIMIT_READ_ONLY: '1000000',
      LOG_LEVEL: 'warn',
    };
    const bases: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-failover-'));
      dataDirs.push(dataDir);
      servers.push(spawnServer({ ...shared, PORT: String(port), DATA_DIR: dataDir }));
      bases.push(`http://127.0.0.1:${port}`);
    }
    await Promise.all(bases.map((base) => waitForStatus(`${base}/api/health`, 200, 120_000)));
    const login = await requestJson<{ accessToken: string }>(`${bases[0]}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    const token = login.body.accessToken;
    const started = await requestJson(`${bases[0]}/api/engine/start`, {
      method: 'POST',
      token,
      body: JSON.stringify({ preset: 'breakout_v1', mode: 'paper' }),
    });
    expect(started.status).toBe(200);

    const statuses = () =>
      Promise.all(
        bases.map(
          async (base) => (await requestJson<EngineStatus>(`${base}/api/engine/status`, { token })).body,
        ),
      );
    const holdersNow = async () =>
      (await statuses()).flatMap((status, index) => (status.runningHere ? [index] : []));
    // Polls until one instance has taken the bot up (at most 10 s), then checks there is exactly one.
    const deadline = Date.now() + 10_000;
    let holders = await holdersNow();
    while (holders.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      holders = await holdersNow();
    }
    expect(holders).toHaveLength(1);
    // Still one holder a few engine passes later.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await statuses()).filter((status) => status.runningHere)).toHaveLength(1);

    const [holder] = holders;
    const other = 1 - holder;
    servers[holder].child.kill('SIGKILL');
    await servers[holder].exited;
    const killedAt = Date.now();
    let movedAfterMs: number | null = null;
    while (Date.now() - killedAt < 15_000) {
      const status = (await requestJson<EngineStatus>(`${bases[other]}/api/engine/status`, { token })).body;
      if (status.runningHere) {
        movedAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(movedAfterMs).not.toBeNull();
    expect(movedAfterMs!).toBeLessThan(10_000);
  });
});
