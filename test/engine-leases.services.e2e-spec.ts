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
  const apps: TestApp[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
    await database?.drop();
  });

  /** The index of the one app for which `holds` is true; fails when none or several hold it. */
  const onlyHolder = (holds: boolean[]): number => {
    expect(holds.filter(Boolean)).toHaveLength(1);
    return holds.indexOf(true);
  };

  it('runs the started bot, the reconciliation and the guard in one instance each, and all in the other once one is gone', async () => {
    database = await createTestDatabase();
    // Either instance may win each lease (their timers run too): the test asserts there is one winner.
    for (let i = 0; i < 2; i++) {
      const app = await startTestApp(env, { clock, database });
      await app.app.get(MarketSimulationService).whenBackfilled();
      apps.push(app);
    }
    const admin = (await loginAdmin(apps[0])).accessToken;
    const trader = (await createKey(apps[0], admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;

    const started = await call(apps[0], 'POST', '/api/engine/start', {
      token: trader,
      body: { preset: 'breakout_v1', mode: 'paper' },
    });
    expect(started.status).toBe(200);
    const bot = (await apps[0].app.get(BotsService).byName('default'))!;
    const engines = apps.map((app) => app.app.get(EngineService));
    for (let i = 0; i < 6; i++) {
      clock.ms += FIVE_MINUTES;
      await Promise.all(engines.map((engine) => engine.tick()));
    }
    const botHolder = onlyHolder(engines.map((engine) => engine.runtimeOf(bot.id) !== undefined));
    // Both answer the same status; only the holder says it runs the bot.
    const engineStatus = async (app: TestApp) =>
      (
        await call<{ running: boolean; runningHere: boolean }>(app, 'GET', '/api/engine/status', {
          token: trader,
        })
      ).body;
    expect(await engineStatus(apps[botHolder])).toMatchObject({ running: true, runningHere: true });
    expect(await engineStatus(apps[1 - botHolder])).toMatchObject({ running: true, runningHere: false });

    // The periodic reconciliation and the stop-loss guard run in one instance each.
    const reconcilers = apps.map((app) => app.app.get(OrderReconciler));
    const guards = apps.map((app) => app.app.get(TradeGuard));
    const passes = [await reconcilers[0].runPeriodic(), await reconcilers[1].runPeriodic()];
    const reconcilerHolder = onlyHolder(passes.map((pass) => pass !== null));
    expect(passes[reconcilerHolder]).toMatchObject({ trigger: 'periodic' });
    await guards[0].check();
    await guards[1].check();
    const guardHolder = onlyHolder(guards.map((guard) => guard.leader));
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
    for (const index of [0, 1])
      expect(await tradingOf(apps[index])).toMatchObject({
        reconciliationLeader: index === reconcilerHolder,
        guardLeader: index === guardHolder,
      });

    // The bot's instance goes: the other takes the bot, and whatever leases it did not hold yet.
    const [gone] = apps.splice(botHolder, 1);
    await gone.close();
    const [survivor] = apps;
    const survivorEngine = survivor.app.get(EngineService);
    expect(await survivor.app.get(OrderReconciler).runPeriodic()).toMatchObject({ trigger: 'periodic' });
    await survivor.app.get(TradeGuard).check();
    expect(await tradingOf(survivor)).toMatchObject({ reconciliationLeader: true, guardLeader: true });
    await survivorEngine.tick();
    expect(survivorEngine.runtimeOf(bot.id)).toBeDefined();
    expect(await engineStatus(survivor)).toMatchObject({ running: true, runningHere: true });
  });

  it('lets go of a lease being taken when shutdown begins, and the shutdown completes', async () => {
    const own = await createTestDatabase();
    try {
      const app = await startTestApp({}, { database: own });
      const leases = app.app.get(AdvisoryLeases);
      const attempt = leases.acquire('shutdown-race');
      // Shutdown begins (the hook app.close() runs) while the lock is being taken: whatever the timing,
      // the attempt gives it up. A connection obtained after closing began and kept would hold it for ever.
      const shuttingDown = leases.beforeApplicationShutdown();
      expect(await attempt).toBe(false);
      await shuttingDown;
      await app.close();
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
