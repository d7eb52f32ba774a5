import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/platform/database/data-source-options';
import { ScaledClock } from './support/scaled-clock';
import { freePort, requestJson, ServerProcess, spawnServer, waitForStatus } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

// The server's clock runs 30 times faster than real time (a 1m candle closes every 2 s), and on across
// the restart; the deadline only stops a hang.
jest.setTimeout(300_000);

const ADMIN = { username: 'crash-admin', password: 'crash-admin-password-1' };
const ENTRY = path.join(__dirname, 'support', 'test-server.ts');
const CLOCK_SPEED = 30;
const SYSTEM_CLOSES = ['signal', 'stop_loss', 'take_profit', 'time_stop'];

interface Trade {
  id: string;
  symbol: string;
  status: string;
  openedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  botId: string | null;
}

/**
 * SIGKILL the server while a bot runs with open positions, start it again on the same data: the bot
 * resumes by itself, the new process closes the positions the old one left open, the bot trades on,
 * and no order or trade is duplicated.
 */
describe('the engine across a crash', () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let port = 0;
  const clockOrigin = Date.now();
  const clock = new ScaledClock(clockOrigin, CLOCK_SPEED);

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await database?.drop();
  });

  const start = (): ServerProcess =>
    spawnServer(
      {
        PORT: String(port),
        DATA_DIR: database.dataDir,
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        MARKET_BACKFILL_DAYS: '1',
        MARKET_SEED: '3',
        RATE_LIMIT_CONTROL: '1000000',
        RATE_LIMIT_ADMIN: '1000000',
        RATE_LIMIT_READ_ONLY: '1000000',
        // Sessions expire by the server's fast clock.
        ACCESS_TOKEN_TTL_SECONDS: '86400',
        LOG_LEVEL: 'info',
        TP_CLOCK_ORIGIN: String(clockOrigin),
        TP_CLOCK_SPEED: String(CLOCK_SPEED),
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      },
      ENTRY,
    );

  async function signIn(base: string): Promise<string> {
    const login = await requestJson<{ accessToken: string }>(`${base}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    return login.body.accessToken;
  }

  async function backfilled(base: string, token: string): Promise<void> {
    for (;;) {
      const status = await requestJson<{ market?: { backfill?: { state: string } } }>(`${base}/api/status`, {
        token,
      });
      if (status.body.market?.backfill?.state === 'done') return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  const botTrades = async (base: string, token: string): Promise<Trade[]> => {
    const active = await requestJson<{ items: Trade[] }>(`${base}/api/trades/active?limit=500`, { token });
    const history = await requestJson<{ items: Trade[] }>(`${base}/api/trades/history?limit=500`, { token });
    const byId = new Map([...history.body.items, ...active.body.items].map((trade) => [trade.id, trade]));
    return [...byId.values()].filter((trade) => trade.botId !== null);
  };

  /** Polls (every 250 ms, at most `tries` times) until `done` holds for the bot's trades. */
  const tradesWhen = async (
    base: string,
    token: string,
    done: (trades: Trade[]) => boolean,
    tries = 240,
  ): Promise<Trade[]> => {
    let trades = await botTrades(base, token);
    for (let i = 0; i < tries && !done(trades); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      trades = await botTrades(base, token);
    }
    return trades;
  };

  it('resumes the running bot, closes the positions left open, trades on, and duplicates nothing', async () => {
    const base = `http://127.0.0.1:${port}`;
    server = start();
    await waitForStatus(`${base}/api/health`, 200, 120_000);
    let token = await signIn(base);
    await backfilled(base, token);
    // A preset that trades often (EMA 2/3 crosses on one-minute candles, every symbol a candidate) and
    // holds a position at most two minutes: whatever is open at the kill has to be closed after it. No
    // losing streak or daily loss pauses it: it has to trade on after the restart.
    const preset = await requestJson(`${base}/api/presets`, {
      method: 'POST',
      token,
      body: JSON.stringify({
        name: 'fast_cross',
        strategy: { name: 'ema_cross', parameters: { fast: 2, slow: 3, atrStop: 3 } },
        timeframe: '1m',
        risk: {
          maxConcurrentPositions: 10,
          trailingStopR: null,
          maxHoldMinutes: 2,
          maxConsecutiveLosses: 100,
          dailyLossLimitR: 100,
        },
        scannerConfig: {
          maxCandidates: 100,
          filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
        },
      }),
    });
    expect(preset.status).toBe(201);
    const started = await requestJson(`${base}/api/engine/start`, {
      method: 'POST',
      token,
      body: JSON.stringify({ preset: 'fast_cross', mode: 'paper' }),
    });
    expect(started.status).toBe(200);
    const open = (
      await tradesWhen(base, token, (trades) => trades.some((trade) => trade.status === 'OPEN'))
    ).filter((trade) => trade.status === 'OPEN');
    if (open.length === 0) {
      // What the bot was doing, to tell a quiet market from a failing engine.
      const status = await requestJson(`${base}/api/engine/status`, { token });
      process.stderr.write(
        `engine status: ${JSON.stringify(status.body)}\nserver output: ${server.stdout().slice(-6000)}\n`,
      );
    }
    expect(open.length).toBeGreaterThan(0);

    server.child.kill('SIGKILL');
    await server.exited;
    const killedAt = clock.nowMs();
    const databaseOptions = buildDataSourceOptions({
      databaseUrl: database.databaseUrl,
      pgliteDir: database.databaseUrl ? undefined : `${database.dataDir}/pglite`,
      runMigrations: false,
    });
    // What was open at the kill, from the database itself (the last poll may be a moment older); closed
    // before the server starts again (PGlite is one process's).
    const atKill = await new DataSource(databaseOptions).initialize();
    const leftOpen = new Set(
      (
        await atKill.query<Array<{ id: string }>>(
          `SELECT id FROM trades WHERE bot_id IS NOT NULL AND status = 'OPEN'`,
        )
      ).map((row) => row.id),
    );
    await atKill.destroy();
    const dataSource = new DataSource(databaseOptions);
    expect(leftOpen.size).toBeGreaterThan(0);
    server = start();
    await waitForStatus(`${base}/api/health`, 200, 120_000);
    token = await signIn(base);

    // The bot runs again without being told, here.
    let status: { state: string; running: boolean; runningHere: boolean; openPositions: number } | undefined;
    for (let i = 0; i < 120; i++) {
      status = (await requestJson<typeof status & object>(`${base}/api/engine/status`, { token })).body;
      if (status.runningHere && status.state !== 'INITIALIZING') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toMatchObject({ running: true, runningHere: true });
    expect(['SIGNAL_WAIT', 'MANAGING', 'SCANNING', 'SIZING', 'EXECUTION']).toContain(status!.state);

    // Every position open at the kill is still there and is closed by the restarted process (signal,
    // stop, target or the two-minute time stop): none vanished, none was left unmanaged.
    const after = await tradesWhen(base, token, (trades) =>
      trades.filter((trade) => leftOpen.has(trade.id)).every((trade) => trade.status === 'CLOSED'),
    );
    for (const id of leftOpen) {
      const now = after.find((trade) => trade.id === id);
      expect(now).toMatchObject({ status: 'CLOSED' });
      expect(SYSTEM_CLOSES).toContain(now!.closeReason);
      expect(Date.parse(now!.closedAt!)).toBeGreaterThanOrEqual(killedAt);
    }
    // And it trades on: a position opened by the restarted process.
    const restarted = clock.nowMs();
    const later = await tradesWhen(base, token, (trades) =>
      trades.some((trade) => trade.openedAt !== null && Date.parse(trade.openedAt) >= restarted),
    );
    expect(
      later.filter((trade) => trade.openedAt !== null && Date.parse(trade.openedAt) >= restarted).length,
    ).toBeGreaterThan(0);

    // Then count.
    await requestJson(`${base}/api/engine/stop`, { method: 'POST', token, body: JSON.stringify({}) });
    server.child.kill('SIGTERM');
    await server.exited;
    await dataSource.initialize();
    try {
      // One trade per symbol and candle; each trade has exactly one entry order; client ids are unique.
      const duplicates = await dataSource.query<Array<{ symbol: string; n: string }>>(
        `SELECT symbol, date_trunc('minute', opened_at) AS minute, count(*) AS n FROM trades
         WHERE bot_id IS NOT NULL AND opened_at IS NOT NULL GROUP BY symbol, minute HAVING count(*) > 1`,
      );
      expect(duplicates).toEqual([]);
      const entries = await dataSource.query<Array<{ trade_id: string; n: string }>>(
        `SELECT trade_id, count(*) AS n FROM orders WHERE bot_id IS NOT NULL AND intent = 'entry' GROUP BY trade_id HAVING count(*) <> 1`,
      );
      expect(entries).toEqual([]);
      const unsettled = await dataSource.query<Array<{ n: string }>>(
        `SELECT count(*) AS n FROM orders WHERE status IN ('PENDING_SUBMIT', 'UNKNOWN')`,
      );
      expect(Number(unsettled[0].n)).toBe(0);
      // Every filled paper order is one paper exchange order, and the reverse.
      const [mine, exchange] = await Promise.all([
        dataSource.query<Array<{ n: string }>>(
          `SELECT count(*) AS n FROM orders WHERE venue = 'paper' AND status = 'FILLED'`,
        ),
        dataSource.query<Array<{ n: string }>>(
          `SELECT count(*) AS n FROM paper_orders WHERE status = 'closed'`,
        ),
      ]);
      expect(Number(mine[0].n)).toBe(Number(exchange[0].n));
      // Every trade the bot entered has its filled entry order among them.
      const entered = await dataSource.query<Array<{ n: string }>>(
        `SELECT count(*) AS n FROM trades WHERE bot_id IS NOT NULL AND opened_at IS NOT NULL`,
      );
      expect(Number(entered[0].n)).toBeGreaterThanOrEqual(open.length);
      expect(Number(mine[0].n)).toBeGreaterThanOrEqual(Number(entered[0].n));
    } finally {
      await dataSource.destroy();
    }
  });
});
