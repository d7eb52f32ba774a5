import { freePort, requestJson, ServerProcess, spawnServer, waitForStatus } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

// A backfill, a kill, and the job's heartbeat lapsing (10 s); the deadline only stops a hang.
jest.setTimeout(300_000);

const ADMIN = { username: 'crash-admin', password: 'crash-admin-password-1' };
const DAY = 86_400_000;

interface Job {
  state: string;
  attempts: number;
  progress: number;
}
interface Backtest {
  id: string;
  status: string;
  metrics: Record<string, number | null> | null;
  trades: unknown[];
  candles: number;
}

/**
 * SIGKILL the server while a backtest runs, start it again on the same database: the job runs again
 * by itself and the backtest completes with the metrics of an uninterrupted run of the same request.
 */
describe('a backtest across a crash', () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await database?.drop();
  });

  const start = (): ServerProcess =>
    spawnServer({
      PORT: String(port),
      DATA_DIR: database.dataDir,
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      MARKET_BACKFILL_DAYS: '2',
      MARKET_SEED: '11',
      RATE_LIMIT_CONTROL: '1000000',
      RATE_LIMIT_ADMIN: '1000000',
      RATE_LIMIT_READ_ONLY: '1000000',
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    });

  async function signIn(base: string): Promise<string> {
    const login = await requestJson<{ accessToken: string }>(`${base}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    return login.body.accessToken;
  }

  async function finished(base: string, token: string, id: string): Promise<Backtest> {
    for (;;) {
      const backtest = await requestJson<Backtest>(`${base}/api/backtests/${id}`, { token });
      expect(backtest.status).toBe(200);
      if (['completed', 'failed', 'cancelled'].includes(backtest.body.status)) return backtest.body;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('runs the interrupted backtest again after a restart, to the same metrics as an uninterrupted run', async () => {
    const base = `http://127.0.0.1:${port}`;
    server = start();
    await waitForStatus(`${base}/api/health`, 200, 120_000);
    let token = await signIn(base);
    for (;;) {
      const status = await requestJson<{ market?: { backfill?: { state: string } } }>(`${base}/api/status`, {
        token,
      });
      if (status.body.market?.backfill?.state === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const to = Math.floor(Date.now() / DAY) * DAY;
    const request = JSON.stringify({
      preset: 'breakout_v1',
      timeframe: '1m',
      from: new Date(to - DAY).toISOString(),
      to: new Date(to).toISOString(),
    });
    const queued = await requestJson<Backtest>(`${base}/api/backtests`, {
      method: 'POST',
      token,
      body: request,
    });
    expect(queued.status).toBe(202);
    const id = queued.body.id;
    let job: Job;
    do {
      job = (await requestJson<Job>(`${base}/api/jobs/${id}`, { token })).body;
    } while (job.state !== 'running' && job.state !== 'completed');
    expect(job.state).toBe('running');
    server.child.kill('SIGKILL');
    await server.exited;

    server = start();
    await waitForStatus(`${base}/api/health`, 200, 120_000);
    token = await signIn(base);
    const resumed = await finished(base, token, id);
    expect(resumed.status).toBe('completed');
    const resumedJob = (await requestJson<Job>(`${base}/api/jobs/${id}`, { token })).body;
    // The first attempt was cut off by the kill; the second ran it to the end.
    expect(resumedJob).toMatchObject({ state: 'completed', attempts: 2, progress: 100 });

    const again = await requestJson<Backtest>(`${base}/api/backtests`, {
      method: 'POST',
      token,
      body: request,
    });
    expect(again.status).toBe(202);
    const uninterrupted = await finished(base, token, again.body.id);
    expect(uninterrupted.status).toBe('completed');
    expect((await requestJson<Job>(`${base}/api/jobs/${again.body.id}`, { token })).body.attempts).toBe(1);
    expect(resumed.candles).toBe(uninterrupted.candles);
    expect(resumed.trades).toEqual(uninterrupted.trades);
    expect(resumed.metrics).toEqual(uninterrupted.metrics);
    expect(uninterrupted.trades.length).toBeGreaterThan(0);
  });
});
