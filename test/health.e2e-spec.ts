import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { HealthResponseDto } from '../src/monitoring/dto/health-response.dto';
import { StatusResponseDto } from '../src/monitoring/dto/status-response.dto';
import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { SystemSample } from '../src/monitoring/system-sample.entity';
import { SAMPLE_RETENTION_MS, SystemSampler } from '../src/monitoring/system-sampler.service';
import { startTestApp, TestApp } from './support/test-app';

describe('health and monitoring', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

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

describe('health with an unreachable REDIS_URL', () => {
  it('reports Redis unhealthy and the whole as degraded, not down', async () => {
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const response = await fetch(`${t.baseUrl}/api/health`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as HealthResponseDto;
      expect(body.services.redis).toBe('unhealthy');
      expect(body.status).toBe('degraded');
    } finally {
      await t.close();
    }
  });
});

describe('metrics with METRICS_PUBLIC=true', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_PUBLIC: 'true' });
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
