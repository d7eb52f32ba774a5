import { BotsService } from '../src/engine/bots.service';
import { EngineService } from '../src/engine/engine.service';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { Client } from 'pg';
import { Role } from '../src/platform/access/role';
import { AdvisoryLeases } from '../src/platform/leases/advisory-leases';
import { OrderReconciler } from '../src/trading/order-reconciler.service';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const FIVE_MINUTES = 300_000;

// Two instances backfill one PostgreSQL database; the deadline only stops a hang.
jest.setTimeout(300_000);

/**
 * Several instances on one PostgreSQL: a bot, the periodic reconciliation and the stop-loss guard
 * each run in exactly one, and another takes them over when that one goes.
 */
describe('bots and trading jobs across instances (PostgreSQL advisory locks)', () => {
  const clock = new ManualClock(Math.floor((Date.now() - 3_600_000) / FIVE_MINUTES) * FIVE_MINUTES);
  const env = {
    MARKET_BACKFILL_DAYS: '2',
    MARKET_SEED: '17',
    RATE_LIMIT_CONTROL: '100000',
    RATE_LIMIT_ADMIN: '100000',
  };
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp | undefined;

  afterAll(async () => {
    await second?.close();
    await database?.drop();
  });

  it('runs the started bot in one instance only, and in the other once the first is gone', async () => {
    database = await createTestDatabase();
    first = await startTestApp(env, { clock, database });
    await first.app.get(MarketSimulationService).whenBackfilled();
    second = await startTestApp(env, { clock, database });
    await second.app.get(MarketSimulationService).whenBackfilled();
    const admin = (await loginAdmin(first)).accessToken;
    const trader = (await createKey(first, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;

    const started = await call(first, 'POST', '/api/engine/start', {
      token: trader,
      body: { preset: 'breakout_v1', mode: 'paper' },
    });
    expect(started.status).toBe(200);
    const bot = (await first.app.get(BotsService).byName('default'))!;
    const engines = [first.app.get(EngineService), second.app.get(EngineService)];
    for (let i = 0; i < 6; i++) {
      clock.ms += FIVE_MINUTES;
      await Promise.all(engines.map((engine) => engine.tick()));
    }
    expect(engines.map((engine) => engine.runtimeOf(bot.id) !== undefined)).toEqual([true, false]);
    // Both answer the same status; only the first says it runs the bot.
    const fromSecond = await call<{ running: boolean; runningHere: boolean }>(
      second,
      'GET',
      '/api/engine/status',
      {
        token: trader,
      },
    );
    expect(fromSecond.body).toMatchObject({ running: true, runningHere: false });

    // The periodic reconciliation and the stop-loss guard run in one instance too: the first to ask.
    const reconcilers = [first.app.get(OrderReconciler), second.app.get(OrderReconciler)];
    const guards = [first.app.get(TradeGuard), second.app.get(TradeGuard)];
    expect(await reconcilers[0].runPeriodic()).toMatchObject({ trigger: 'periodic' });
    expect(await reconcilers[1].runPeriodic()).toBeNull();
    await guards[0].check();
    await guards[1].check();
    expect(guards.map((guard) => guard.leader)).toEqual([true, false]);
    const tradingOf = async (app: TestApp) =>
      (
        await call<{ reconciliationLeader: boolean; guardLeader: boolean }>(
          app,
          'GET',
          '/api/trading/status',
          {
            token: trader,
          },
        )
      ).body;
    expect(await tradingOf(first)).toMatchObject({ reconciliationLeader: true, guardLeader: true });
    expect(await tradingOf(second)).toMatchObject({ reconciliationLeader: false, guardLeader: false });

    await first.close();
    expect(await reconcilers[1].runPeriodic()).toMatchObject({ trigger: 'periodic' });
    await guards[1].check();
    expect(await tradingOf(second)).toMatchObject({ reconciliationLeader: true, guardLeader: true });
    await engines[1].tick();
    expect(engines[1].runtimeOf(bot.id)).toBeDefined();
    const status = await call<{ running: boolean; runningHere: boolean; state: string }>(
      second,
      'GET',
      '/api/engine/status',
      { token: trader },
    );
    expect(status.body).toMatchObject({ running: true, runningHere: true });
  });

  it('lets go of a lease being taken when shutdown begins, and the shutdown completes', async () => {
    const own = await createTestDatabase();
    try {
      const app = await startTestApp({}, { database: own });
      const attempt = app.app.get(AdvisoryLeases).acquire('shutdown-race');
      // A connection obtained after the pool began closing and kept would hold this for ever.
      await app.close();
      expect(await attempt).toBe(false);
      const client = new Client({ connectionString: own.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(
          "SELECT pg_try_advisory_lock(hashtextextended('tradeplane:shutdown-race', 0)) AS locked",
        );
        expect(rows[0].locked).toBe(true);
      } finally {
        await client.end();
      }
    } finally {
      await own.drop();
    }
  });
});
