import { AlertSources } from '../src/alerts/alert-sources.service';
import { BotsService } from '../src/engine/bots.service';
import { EngineService } from '../src/engine/engine.service';
import { CandleRepository } from '../src/market/candle.repository';
import { MarketSimulationService, SIMULATED_EXCHANGE } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { waitForStatus } from './support/server-process';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

/**
 * PostgreSQL going away while the app runs: health answers 503 and the process lives; once the
 * server is back, health answers 200 again without a restart, and the leases that went with the
 * broken connections (the stop-loss guard's, a bot's) are taken again, and the interrupted market
 * backfill goes on and completes without a gap. Runs only with DATABASE_URL.
 */
jest.setTimeout(180_000);

describe('PostgreSQL outage', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    process.on('unhandledRejection', recordUncaught);
    const database = await createTestDatabase();
    const target = new URL(database.databaseUrl!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const viaProxy = new URL(database.databaseUrl!);
    viaProxy.host = `127.0.0.1:${port}`;
    // Three days of history, so the backfill is still under way when the database goes.
    t = await startTestApp({ DATABASE_URL: viaProxy.toString(), MARKET_BACKFILL_DAYS: '3' });
    const close = t.close;
    t.close = async () => {
      await close();
      await database.drop();
    };
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    process.off('uncaughtException', recordUncaught);
    process.off('unhandledRejection', recordUncaught);
  });

  it('reports 503 while the database is unreachable and 200 once it is back', async () => {
    await waitForStatus(`${t.baseUrl}/api/health`, 200, 5000);
    const admin = (await loginAdmin(t)).accessToken;
    const trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    const started = await call(t, 'POST', '/api/engine/start', {
      token: trader,
      body: { preset: 'breakout_v1', mode: 'paper' },
    });
    expect(started.status).toBe(200);
    const engine = t.app.get(EngineService);
    const guard = t.app.get(TradeGuard);
    const bot = (await t.app.get(BotsService).byName('default'))!;
    await until(() => guard.leader && engine.runtimeOf(bot.id) !== undefined, 10_000);
    const runtimeBefore = engine.runtimeOf(bot.id);
    const market = t.app.get(MarketSimulationService);
    await until(() => market.progress().state === 'running' && market.progress().storedCandles > 0, 10_000);

    await proxy.cut();
    const down = await fetch(`${t.baseUrl}/api/health`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { status: string; services: { database: string } };
    expect(body.status).toBe('unhealthy');
    expect(body.services.database).toBe('unhealthy');
    expect((await fetch(`${t.baseUrl}/api/health/ready`)).status).toBe(503);
    expect((await fetch(`${t.baseUrl}/api/health/live`)).status).toBe(200);

    // The guard's lock went with its connection: it no longer claims to watch the levels.
    await until(() => !guard.leader, 5_000);

    await t.app.get(AlertSources).checkDatabase(); // sees it down (its 5 s timer may have already)
    await proxy.restore();
    await waitForStatus(`${t.baseUrl}/api/health`, 200, 10_000);
    // The outage is stored once the database answers again, resolved by the system.
    await t.app.get(AlertSources).checkDatabase();
    const outage = await call<{
      items: Array<{ status: string; severity: string; resolvedBy: string; data: { downSeconds: number } }>;
    }>(t, 'GET', '/api/alerts?type=DATABASE_DOWN', { token: admin });
    expect(outage.body.items).toHaveLength(1);
    expect(outage.body.items[0]).toMatchObject({
      status: 'resolved',
      severity: 'critical',
      resolvedBy: 'system',
    });
    expect(outage.body.items[0].data.downSeconds).toBeGreaterThanOrEqual(0);
    await until(() => guard.leader, 10_000);
    // The bot was dropped with its lease and taken up again: a new runtime, on a new lock.
    await until(() => {
      const runtime = engine.runtimeOf(bot.id);
      return runtime !== undefined && runtime !== runtimeBefore;
    }, 10_000);
    const backfill = await market.whenBackfilled();
    expect(backfill.state).toBe('done');
    const from = Date.parse(backfill.from!);
    const end = Date.parse(backfill.to!);
    const coverage = await t.app.get(CandleRepository).coverage(
      SIMULATED_EXCHANGE,
      market.pairs.map((pair) => pair.symbol),
      '1m',
      from,
      end - 60_000,
    );
    expect(coverage.size).toBe(market.pairs.length);
    for (const { count } of coverage.values()) expect(count).toBe((end - from) / 60_000);
    expect(uncaught).toEqual([]);
  });
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
