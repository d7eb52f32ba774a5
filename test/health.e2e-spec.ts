import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { HealthResponseDto } from '../src/monitoring/dto/health-response.dto';
import { StatusResponseDto } from '../src/monitoring/dto/status-response.dto';
import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { SystemSample } from '../src/monitoring/system-sample.entity';
import {
  SAMPLE_RETENTION_MS,
  SAMPLE_RETENTION_QUEUE,
  SystemSampler,
} from '../src/monitoring/system-sampler.service';
import { JobQueue } from '../src/platform/jobs/job-queue';
import { startTestApp, TestApp } from './support/test-app';

/** The app of the health and monitoring tests (the others need settings of their own). */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_READ_ONLY: '100000', RATE_LIMIT_CONTROL: '100000' });
});
afterAll(async () => {
  await t?.close();
});

describe('health and monitoring', () => {
  it('GET /api/health reports the database, services and resources', async () => {
    const response = await fetch(`${t.baseUrl}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as HealthResponseDto;
    expect(body).toEqual({
      status: expect.stringMatching(/^(healthy|degraded)$/),
      timestamp: expect.any(String),
      version: t.config.version,
      uptimeSeconds: expect.any(Number),
      services: {
        backend: 'healthy',
        database: 'healthy',
        exchange: 'healthy',
        redis: 'not_configured',
        engine: 'not_configured',
      },
      database: { status: 'healthy', driver: t.config.databaseDriver, latencyMs: expect.any(Number) },
      resourceHealth: {
        status: expect.stringMatching(/^(healthy|degraded)$/),
        issues: expect.any(Array),
        cpuPercent: expect.any(Number),
        memoryPercent: expect.any(Number),
        eventLoopLagMs: expect.any(Number),
        diskUsedPercent: expect.any(Number),
      },
      engineInitialized: false,
      engineRunning: false,
    });
    expect(body.database.latencyMs).toBeGreaterThan(0);
    expect(body.database.latencyMs).toBeLessThan(2000);
    expect(body.resourceHealth.memoryPercent).toBeGreaterThan(0);
    expect(body.resourceHealth.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(body.resourceHealth.cpuPercent).toBeLessThanOrEqual(100);
  });

  it('answers the liveness and readiness probes', async () => {
    const live = await fetch(`${t.baseUrl}/api/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.baseUrl}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true });
  });

  it('stores a resource sample and drops samples older than 7 days', async () => {
    const samples = t.app.get<Repository<SystemSample>>(getRepositoryToken(SystemSample));
    const old = await samples.save(
      samples.create({
        sampledAt: new Date(Date.now() - SAMPLE_RETENTION_MS - 60_000),
        cpuPercent: 1,
        memoryPercent: 1,
        rssBytes: '1',
        eventLoopLagMs: 1,
        diskUsedPercent: null,
        loadAverage: 0,
      }),
    );
    const fresh = await t.app.get(SystemSampler).sampleNow();
    expect(await t.app.get(SystemSampler).deleteOldSamples()).toBe(1);
    expect(await samples.findOneBy({ id: old.id })).toBeNull();
    const stored = await samples.findOneByOrFail({ id: fresh.id });
    expect(stored.memoryPercent).toBeGreaterThan(0);
    expect(Number(stored.rssBytes)).toBeGreaterThan(1_000_000);
    expect(Math.abs(stored.sampledAt.getTime() - Date.now())).toBeLessThan(10_000);
  });

  it('the migrated schema is exactly what the entities describe', async () => {
    const log = await t.app.get(DataSource).driver.createSchemaBuilder().log();
    expect(log.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('keeps /api/metrics behind authentication by default', async () => {
    expect((await fetch(`${t.baseUrl}/api/metrics`)).status).toBe(401);
  });

  it('GET /api/status gives a READ_ONLY principal the system, database and performance', async () => {
    const token = (await loginAdmin(t)).accessToken;
    const reader = await createUser(t, token, Role.READ_ONLY);
    const response = await call<StatusResponseDto>(t, 'GET', '/api/status', { token: reader.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      system: {
        status: expect.stringMatching(/^(operational|degraded)$/),
        uptimeSeconds: expect.any(Number),
        version: t.config.version,
        environment: 'test',
      },
      database: {
        driver: t.config.databaseDriver,
        connected: true,
        latencyMs: expect.any(Number),
        connections: expect.any(Number),
        maxConnections: expect.any(Number),
      },
      performance: {
        cpuUsage: expect.any(Number),
        memoryUsage: expect.any(Number),
        diskUsage: expect.any(Number),
        eventLoopLagMs: expect.any(Number),
      },
      exchange: { connected: true, name: 'paper', testnet: false, lastPing: expect.any(String) },
      market: {
        source: 'simulated',
        seed: 42,
        symbols: 30,
        backfill: expect.objectContaining({ state: expect.any(String) }),
      },
      timestamp: expect.any(String),
    });
    expect(response.body.database.connections).toBeGreaterThanOrEqual(1);
    expect(response.body.database.maxConnections).toBeGreaterThanOrEqual(response.body.database.connections);
  });

  it('lets Prometheus scrape /api/metrics with METRICS_TOKEN, and only with the exact token', async () => {
    const scrapeToken = 'prometheus-scrape-token-0123456789';
    const withToken = await startTestApp({ METRICS_TOKEN: scrapeToken });
    try {
      expect((await call(withToken, 'GET', '/api/metrics', { token: scrapeToken })).status).toBe(200);
      expect((await call(withToken, 'GET', '/api/metrics', { token: scrapeToken + 'x' })).status).toBe(401);
      expect((await call(withToken, 'GET', '/api/metrics')).status).toBe(401);
    } finally {
      await withToken.close();
    }
  });
});

describe('monitoring in JSON and Prometheus subsets (/api/metrics/*)', () => {
  let reader: string;
  let trader: string;

  beforeAll(async () => {
    const admin = (await loginAdmin(t)).accessToken;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
  });

  const text = async (path: string) => {
    const response = await call<string>(t, 'GET', path, { token: reader });
    expect(response.status).toBe(200);
    return response.body;
  };
  /** A paper trade opened, and one opened and closed (two fills each). */
  const tradeOnPaper = async () => {
    const open = async () => {
      const opened = await call<{ id: string }>(t, 'POST', '/api/trades', {
        token: trader,
        body: { symbol: 'BTC/USDT', side: 'buy', amount: 0.01 },
      });
      expect(opened.status).toBe(201);
      return opened.body.id;
    };
    await open();
    const closing = await open();
    const closed = await call(t, 'POST', `/api/trades/${closing}/close`, { token: trader, body: {} });
    expect(closed.status).toBe(201);
  };

  it('serves the trading, system and ml subsets apart, and all of them at /api/metrics', async () => {
    await tradeOnPaper();
    await t.app.get(JobQueue).enqueue(SAMPLE_RETENTION_QUEUE, {});
    expect((await call(t, 'GET', '/api/metrics/trading')).status).toBe(401);
    const trading = await text('/api/metrics/trading');
    expect(trading).toMatch(/tradeplane_orders\{[^}]*venue="paper",status="FILLED"[^}]*\} 3/);
    expect(trading).toMatch(/tradeplane_fills_total\{[^}]*venue="paper"[^}]*\} 3/);
    expect(trading).toMatch(/tradeplane_open_positions\{[^}]*venue="paper"[^}]*\} 1/);
    expect(trading).toMatch(/tradeplane_open_exposure_quote\{[^}]*venue="paper"[^}]*\} [1-9]/);
    expect(trading).toMatch(/tradeplane_realized_pnl_quote\{[^}]*venue="paper"[^}]*\} -?\d/);
    expect(trading).toContain('# TYPE tradeplane_exchange_request_duration_seconds histogram');
    expect(trading).not.toContain('tradeplane_http_requests_total');

    const system = await text('/api/metrics/system');
    expect(system).toMatch(/tradeplane_websocket_connections\{[^}]*authenticated="true"[^}]*\} 0/);
    expect(system).toMatch(/tradeplane_websocket_messages_total\{[^}]*direction="dropped"[^}]*\} 0/);
    expect(system).toMatch(
      /tradeplane_jobs\{[^}]*queue="housekeeping.sample-retention",state="(queued|completed|running)"[^}]*\} 1/,
    );
    expect(system).toContain('# TYPE tradeplane_webhook_deliveries_total counter');
    expect(system).toContain('# TYPE tradeplane_alerts_active gauge');
    expect(system).toContain('tradeplane_http_requests_total');
    expect(system).not.toContain('tradeplane_orders');

    expect(await text('/api/metrics/ml')).toMatch(/tradeplane_ml_enabled\{[^}]*\} 0/);
    const all = await text('/api/metrics');
    for (const series of [
      'tradeplane_orders',
      'tradeplane_jobs',
      'tradeplane_ml_enabled',
      'tradeplane_process_cpu',
    ])
      expect(all).toContain(series);
  });

  it('answers the process performance, the summary, the monitoring health and hourly history with measured values', async () => {
    await tradeOnPaper();
    await t.app.get(SystemSampler).sampleNow();

    const performance = await call<Record<string, number | null>>(t, 'GET', '/api/metrics/performance', {
      token: reader,
    });
    expect(performance.status).toBe(200);
    expect(performance.body.memoryUsedMb).toBeGreaterThan(10);
    expect(performance.body.activeThreads).toBeGreaterThanOrEqual(1);
    expect(performance.body.openFiles).toBeGreaterThan(3);
    expect(performance.body.networkConnections).toBeGreaterThanOrEqual(1);
    expect(Math.abs(performance.body.timestamp! - Date.now() / 1000)).toBeLessThan(60);

    interface Stats {
      count: number;
      mean: number | null;
      min: number | null;
      max: number | null;
    }
    const summary = await call<{
      performance: Record<string, number>;
      engine: { cycleTime: Stats; positions: Stats };
      trading: { events: Stats; pnl: Stats };
    }>(t, 'GET', '/api/metrics/summary', { token: reader });
    expect(summary.status).toBe(200);
    expect(summary.body.performance.memoryUsedMb).toBeGreaterThan(10);
    expect(summary.body.engine.cycleTime).toEqual({ count: 0, mean: null, min: null, max: null });
    expect(summary.body.engine.positions.max).toBeGreaterThanOrEqual(1);
    expect(summary.body.trading.pnl.count).toBeGreaterThanOrEqual(1);
    expect(summary.body.trading.events).toMatchObject({ min: 2, max: 2, mean: 2 });
    expect(summary.body.trading.pnl.min).toBeLessThan(0); // a round trip at once pays its fees and spread

    const health = await call<{
      status: string;
      metricsCount: number;
      lastSampleAt: string;
      issues: string[];
    }>(t, 'GET', '/api/metrics/health', { token: reader });
    expect(health.status).toBe(200);
    expect(health.body.metricsCount).toBeGreaterThan(50);
    expect(Date.now() - Date.parse(health.body.lastSampleAt)).toBeLessThan(60_000);

    interface Figures {
      trading: {
        totalTrades: number;
        failedTrades: number;
        orders: number;
        fills: number;
        winRate: number | null;
      };
      system: { samples: number; avgCpuUsage: number | null; uptimePercentage: number | null };
      exchange: { apiCalls: number; avgResponseTimeMs: number | null };
    }
    const history = await call<{
      periodHours: number;
      metrics: Figures;
      hourly: Array<Figures & { hour: string }>;
    }>(t, 'GET', '/api/metrics/history?hours=2', { token: reader });
    expect(history.status).toBe(200);
    expect(history.body.periodHours).toBe(2);
    expect(history.body.hourly).toHaveLength(2);
    expect(Date.parse(history.body.hourly[1].hour)).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const { trading, system, exchange } = history.body.metrics;
    expect(trading.totalTrades).toBeGreaterThanOrEqual(1);
    expect(trading.totalTrades).toBe(
      history.body.hourly.reduce((sum, hour) => sum + hour.trading.totalTrades, 0),
    );
    expect(trading.orders).toBeGreaterThanOrEqual(3);
    expect(trading.fills).toBeGreaterThanOrEqual(3);
    expect(system.samples).toBeGreaterThanOrEqual(1);
    expect(system.avgCpuUsage).not.toBeNull();
    expect(system.uptimePercentage).toBeGreaterThan(0);
    expect(exchange).toEqual({ apiCalls: 0, failedCalls: 0, avgResponseTimeMs: null });
    for (const hours of ['0', '169', 'x'])
      expect((await call(t, 'GET', `/api/metrics/history?hours=${hours}`, { token: reader })).status).toBe(
        400,
      );
  });
});

/** One app for both: an unreachable Redis does not touch metrics. */
describe('with an unreachable REDIS_URL and METRICS_PUBLIC=true', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_PUBLIC: 'true', REDIS_URL: 'redis://127.0.0.1:1' });
  });

  it('reports Redis unhealthy and the whole as degraded, not down', async () => {
    const response = await fetch(`${t.baseUrl}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as HealthResponseDto;
    expect(body.services.redis).toBe('unhealthy');
    expect(body.status).toBe('degraded');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves Prometheus text with HTTP counts by route pattern and status', async () => {
    await fetch(`${t.baseUrl}/api/health/live`);
    await fetch(`${t.baseUrl}/api/health/live`);
    await fetch(`${t.baseUrl}/api/does-not-exist/123`);
    const response = await fetch(`${t.baseUrl}/api/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(
      /tradeplane_http_requests_total\{[^}]*method="GET",route="\/api\/health\/live",status="200"[^}]*\} 2/,
    );
    expect(text).toMatch(/tradeplane_http_requests_total\{[^}]*route="unmatched",status="404"[^}]*\} 1/);
    expect(text).toContain('tradeplane_http_request_duration_seconds_bucket');
    expect(text).toContain('tradeplane_process_resident_memory_bytes');
    expect(text).not.toContain('/api/does-not-exist/123');
  });
});
