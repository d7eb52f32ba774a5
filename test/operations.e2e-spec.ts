import { DataSource } from 'typeorm';
import { Role } from '../src/platform/access/role';
import { RuntimeSettings } from '../src/platform/settings/runtime-settings';
import { call, createKey, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';
import { EventBus } from '../src/platform/events/event-bus';
import { AlertRulesService } from '../src/alerts/alert-rules.service';
import { SystemSampler } from '../src/monitoring/system-sampler.service';
import { AlertSources } from '../src/alerts/alert-sources.service';
import '../src/engine/engine.events';

interface Config {
  environment: string;
  version: number;
  lastUpdated: string;
  settings: {
    trading: { enabled: boolean };
    risk: { maxAccountExposurePercent: number; dailyLossLimitR: number | null };
    dca: { maxAttempts: number };
    rateLimits: { readOnlyPerMinute: number };
  };
}
interface UpdateResult {
  success: boolean;
  updatedFields: string[];
  restartRequired: boolean;
  version: number;
}
interface Version {
  version: number;
  author: string;
  comment: string | null;
  changes: Array<{ path: string; from: unknown; to: unknown }>;
}

/** One app for the settings and the alerts: each test leaves the settings as it found them. */
let t: TestApp;
let admin: string;
let trader: string;
let reader: string;

beforeAll(async () => {
  t = await startTestApp({ MARKET_BACKFILL_DAYS: '0', RATE_LIMIT_ADMIN: '100000' });
  admin = (await loginAdmin(t)).accessToken;
  trader = (await createUser(t, admin, Role.CONTROL)).token;
  reader = (await createUser(t, admin, Role.READ_ONLY)).token;
});
afterAll(async () => {
  await t?.close();
});

describe('runtime settings (/api/config)', () => {
  const config = async () => call<Config>(t, 'GET', '/api/config', { token: reader });

  it('validates, versions, guards with If-Match, records history and rolls back', async () => {
    const first = await config();
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe(`"${first.body.version}"`);
    expect(first.body).toMatchObject({
      environment: 'test',
      settings: {
        trading: { enabled: true },
        risk: { maxAccountExposurePercent: 100, dailyLossLimitR: null },
      },
    });
    const start = first.body.version;

    // validateOnly: a valid change is reported, nothing changes.
    const dry = await call<UpdateResult>(t, 'POST', '/api/config', {
      token: admin,
      body: { settings: { dca: { maxAttempts: 9 } }, validateOnly: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      success: true,
      updatedFields: [],
      version: start,
      restartRequired: false,
    });
    expect((await config()).body).toEqual(first.body);

    // Every bad field is named by its path; nothing changes.
    const bad = await call<{ error: string; message: string }>(t, 'POST', '/api/config', {
      token: admin,
      body: {
        settings: { risk: { dailyLossLimitR: 0, nope: 1 }, dca: { maxAttempts: 2.5 }, nowhere: {} },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('VALIDATION_ERROR');
    for (const part of [
      'settings.risk.dailyLossLimitR: must be > 0',
      'settings.risk.nope: unknown setting',
      'settings.dca.maxAttempts: must be a whole number',
      'settings.nowhere: unknown section',
    ])
      expect(bad.body.message).toContain(part);
    const badPut = await call<{ message: string }>(t, 'PUT', '/api/config', {
      token: admin,
      body: { trading: { enabled: 'yes' } },
    });
    expect(badPut.status).toBe(400);
    expect(badPut.body.message).toContain('trading.enabled: must be true or false');
    expect((await config()).body).toEqual(first.body);

    // A change with the version read: a new version, with its changed paths in the history.
    const put = await call<UpdateResult>(t, 'PUT', '/api/config', {
      token: admin,
      headers: { 'if-match': `"${start}"` },
      body: { risk: { dailyLossLimitR: 3 }, dca: { maxAttempts: 7 } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      success: true,
      message: 'Configuration updated successfully',
      updatedFields: ['risk.dailyLossLimitR', 'dca.maxAttempts'],
      restartRequired: false,
      version: start + 1,
    });
    const after = (await config()).body;
    expect(after.version).toBe(start + 1);
    expect(after.settings.risk.dailyLossLimitR).toBe(3);
    expect(after.settings.dca.maxAttempts).toBe(7);

    // The same If-Match again is stale: 409, nothing changes.
    const stale = await call<{ error: string }>(t, 'PUT', '/api/config', {
      token: admin,
      headers: { 'if-match': `"${start}"` },
      body: { dca: { maxAttempts: 8 } },
    });
    expect([stale.status, stale.body.error]).toEqual([409, 'CONFLICT']);
    const staleBody = await call(t, 'POST', '/api/config', {
      token: admin,
      body: { settings: { dca: { maxAttempts: 8 } }, expectedVersion: start },
    });
    expect(staleBody.status).toBe(409);
    expect((await config()).body).toEqual(after);

    const history = await call<{ items: Version[]; total: number }>(t, 'GET', '/api/config/history', {
      token: admin,
    });
    expect(history.status).toBe(200);
    expect(history.body.total).toBe(start + 1);
    expect(history.body.items[0]).toMatchObject({
      version: start + 1,
      author: expect.stringMatching(/^user:/),
      changes: [
        { path: 'risk.dailyLossLimitR', from: null, to: 3 },
        { path: 'dca.maxAttempts', from: 5, to: 7 },
      ],
    });

    // Rollback: the old settings become current as a new version.
    const rollback = await call<UpdateResult>(t, 'POST', '/api/config/rollback', {
      token: admin,
      body: { version: start },
    });
    expect(rollback.status).toBe(200);
    expect(rollback.body).toMatchObject({ version: start + 2 });
    expect(rollback.body.updatedFields.sort()).toEqual(['dca.maxAttempts', 'risk.dailyLossLimitR']);
    const rolledBack = (await config()).body;
    expect(rolledBack.settings).toEqual(first.body.settings);
    const newest = (
      await call<{ items: Version[] }>(t, 'GET', '/api/config/history?limit=1', { token: admin })
    ).body.items[0];
    expect(newest).toMatchObject({ version: start + 2, comment: `rollback to version ${start}` });
    expect(
      (await call(t, 'POST', '/api/config/rollback', { token: admin, body: { version: 999 } })).status,
    ).toBe(404);
    // Beyond the column's integers: a 400, not a 500 from the database.
    expect(
      (await call(t, 'POST', '/api/config/rollback', { token: admin, body: { version: 3_000_000_000 } }))
        .status,
    ).toBe(400);

    // Only an ADMIN changes them; a READ_ONLY caller reads them.
    expect(
      (await call(t, 'PUT', '/api/config', { token: trader, body: { dca: { maxAttempts: 8 } } })).status,
    ).toBe(403);
    expect((await call(t, 'GET', '/api/config/history', { token: reader })).status).toBe(403);
  });

  it('applies a change at once: trading off refuses the next order, without a restart', async () => {
    const order = () =>
      call<{ error: string }>(t, 'POST', '/api/orders', {
        token: trader,
        body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 },
      });
    expect(
      (await call(t, 'PUT', '/api/config', { token: admin, body: { trading: { enabled: false } } })).status,
    ).toBe(200);
    const refused = await order();
    expect([refused.status, refused.body.error]).toEqual([409, 'TRADING_DISABLED']);
    const status = await call<{ active: boolean }>(t, 'GET', '/api/trading/status', { token: reader });
    expect(status.body.active).toBe(false);
    expect(
      (await call(t, 'PUT', '/api/config', { token: admin, body: { trading: { enabled: true } } })).status,
    ).toBe(200);
    expect((await order()).status).toBe(201);
  });

  it('puts a version another instance wrote in force here', async () => {
    const settings = t.app.get(RuntimeSettings);
    const version = settings.version;
    const document = { ...settings.document, dca: { ...settings.document.dca, maxAttempts: 11 } };
    // Written as another instance writes it: a row of settings_versions.
    await t.app
      .get(DataSource)
      .query(
        `INSERT INTO settings_versions (version, document, changes, author, comment, created_at) VALUES ($1, $2, $3, 'user:elsewhere', NULL, now())`,
        [
          version + 1,
          JSON.stringify(document),
          JSON.stringify([{ path: 'dca.maxAttempts', from: 5, to: 11 }]),
        ],
      );
    await settings.refresh();
    expect(settings.version).toBe(version + 1);
    expect((await config()).body.settings.dca.maxAttempts).toBe(11);
    await call(t, 'PUT', '/api/config', { token: admin, body: { dca: { maxAttempts: 5 } } });
  });

  it('gives a new preset the scanner defaults of the settings where its own scannerConfig does not say', async () => {
    interface Preset {
      config: { scannerConfig: { maxCandidates: number; scanIntervalSeconds: number } };
    }
    const create = (name: string, scannerConfig?: object) =>
      call<Preset>(t, 'POST', '/api/presets', {
        token: admin,
        body: { name, strategy: { name: 'rsi_mean_reversion' }, ...(scannerConfig && { scannerConfig }) },
      });
    const builtin = (await create('rsi_before_defaults')).body.config.scannerConfig;
    expect(builtin).toMatchObject({ maxCandidates: 10, scanIntervalSeconds: 120 });
    const bad = await call<{ message: string }>(t, 'PUT', '/api/config', {
      token: admin,
      body: { scanner: { defaultMaxCandidates: 101 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('scanner.defaultMaxCandidates: must be <= 100');
    const put = await call(t, 'PUT', '/api/config', {
      token: admin,
      body: { scanner: { defaultMaxCandidates: 4, defaultScanIntervalSeconds: 900 } },
    });
    expect(put.status).toBe(200);
    expect((await create('rsi_with_defaults')).body.config.scannerConfig).toMatchObject({
      maxCandidates: 4,
      scanIntervalSeconds: 900,
    });
    expect(
      (await create('rsi_own_interval', { scanIntervalSeconds: 60 })).body.config.scannerConfig,
    ).toMatchObject({
      maxCandidates: 4,
      scanIntervalSeconds: 60,
    });
    await call(t, 'PUT', '/api/config', {
      token: admin,
      body: { scanner: { defaultMaxCandidates: null, defaultScanIntervalSeconds: null } },
    });
    expect((await create('rsi_after_defaults')).body.config.scannerConfig).toMatchObject(builtin);
  });

  it('changes rate limits at once', async () => {
    const put = await call(t, 'PUT', '/api/config', {
      token: admin,
      body: { rateLimits: { readOnlyPerMinute: 2 } },
    });
    expect(put.status).toBe(200);
    // A reader who has not called yet: its third call in the minute is over the new limit.
    const fresh = (await createUser(t, admin, Role.READ_ONLY)).token;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(t, 'GET', '/api/config', { token: fresh })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const restored = await call(t, 'PUT', '/api/config', {
      token: admin,
      body: { rateLimits: { readOnlyPerMinute: 100 } },
    });
    expect(restored.status).toBe(200);
  });
});

describe('alerts (/api/alerts)', () => {
  let socket: TestSocket;

  beforeAll(async () => {
    socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    socket.send({ type: 'subscribe', topics: ['alerts'] });
    await socket.next((message) => message.type === 'subscribed');
  });
  afterAll(() => {
    socket?.close();
  });

  interface StoredAlert {
    id: string;
    type: string;
    severity: string;
    source: string;
    status: string;
    count: number;
    fingerprint: string;
    acknowledgedBy: string | null;
    resolvedBy: string | null;
    note: string | null;
  }
  const botId = '0b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11';
  /** As the engine raises one: an `alert.raised` event, which the alerts module stores. */
  const raise = (message: string) =>
    t.app.get(EventBus).publish('alert.raised', {
      level: 'warning',
      source: 'engine',
      code: 'DAILY_LOSS_LIMIT',
      message,
      botId,
      at: new Date().toISOString(),
    });
  /** The first `alerts` message of a type whose alert matches (messages stay in the socket's list). */
  const alertMessage = async (type: string, match: (alert: StoredAlert) => boolean = () => true) =>
    (await socket.next(
      (message) => message.type === type && match(message.data as unknown as StoredAlert),
    )) as unknown as { type: string; data: StoredAlert };

  it('stores an alert once per condition, counts its repeats, and is acknowledged then resolved', async () => {
    raise('default paused: daily loss -3.1R');
    const raised = await alertMessage('ALERT_RAISED');
    expect(raised.data).toMatchObject({
      type: 'DAILY_LOSS_LIMIT',
      severity: 'warning',
      source: `bot:${botId}`,
      fingerprint: `DAILY_LOSS_LIMIT|bot:${botId}`,
      status: 'firing',
      count: 1,
    });
    raise('default paused: daily loss -3.4R');
    const repeated = await alertMessage('ALERT_UPDATED', (alert) => alert.count === 2);
    expect(repeated.data).toMatchObject({ id: raised.data.id, count: 2 });

    const list = await call<{
      items: StoredAlert[];
      total: number;
      totalAlerts: number;
      activeAlerts: number;
    }>(t, 'GET', '/api/alerts?activeOnly=true&type=DAILY_LOSS_LIMIT', { token: reader });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, totalAlerts: 1, activeAlerts: 1 });
    expect(list.body.items[0]).toMatchObject({ id: raised.data.id, count: 2 });
    for (const filter of ['severity=critical', `source=system`, 'since=2999-01-01T00:00:00Z'])
      expect(
        (await call<{ total: number }>(t, 'GET', `/api/alerts?${filter}`, { token: reader })).body.total,
      ).toBe(0);
    expect((await call(t, 'GET', '/api/alerts?severity=loud', { token: reader })).status).toBe(400);

    const path = `/api/alerts/${raised.data.id}`;
    expect((await call(t, 'POST', `${path}/acknowledge`, { token: reader, body: {} })).status).toBe(403);
    const acknowledged = await call<StoredAlert>(t, 'POST', `${path}/acknowledge`, {
      token: trader,
      body: { note: 'looking into it' },
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ status: 'acknowledged', note: 'looking into it' });
    expect(acknowledged.body.acknowledgedBy).toMatch(/^user:/);
    expect((await alertMessage('ALERT_UPDATED', (alert) => alert.status === 'acknowledged')).data.note).toBe(
      'looking into it',
    );
    expect((await call(t, 'POST', `${path}/acknowledge`, { token: trader, body: {} })).status).toBe(409);

    const resolved = await call<StoredAlert>(t, 'POST', `${path}/resolve`, {
      token: trader,
      body: { note: 'limits raised' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', note: 'limits raised' });
    expect((await alertMessage('ALERT_RESOLVED')).data.id).toBe(raised.data.id);
    expect((await call(t, 'POST', `${path}/resolve`, { token: trader, body: {} })).status).toBe(409);
    const detail = await call<{ history: Array<{ event: string; by: string | null; text: string | null }> }>(
      t,
      'GET',
      path,
      { token: reader },
    );
    expect(detail.body.history.map(({ event, text }) => [event, text])).toEqual([
      ['raised', 'default paused: daily loss -3.1R'],
      ['repeated', 'default paused: daily loss -3.4R'],
      ['acknowledged', 'looking into it'],
      ['resolved', 'limits raised'],
    ]);
    expect(detail.body.history[2].by).toMatch(/^user:/);
    const active = await call<{ total: number; totalAlerts: number; activeAlerts: number }>(
      t,
      'GET',
      '/api/alerts?activeOnly=true&type=DAILY_LOSS_LIMIT',
      { token: reader },
    );
    expect(active.body).toMatchObject({ total: 0, totalAlerts: 1, activeAlerts: 0 });

    // The condition again: a new alert, the resolved one stays as it was.
    raise('default paused again');
    const again = await alertMessage('ALERT_RAISED', (alert) => alert.id !== raised.data.id);
    expect(again.data.id).not.toBe(raised.data.id);
    expect(again.data.count).toBe(1);
    expect((await call<StoredAlert>(t, 'GET', path, { token: reader })).body.status).toBe('resolved');
    expect(
      (await call(t, 'GET', '/api/alerts/8c1e6c1e-0000-4000-8000-000000000000', { token: reader })).status,
    ).toBe(404);
  });

  interface Rule {
    type: string;
    enabled: boolean;
    threshold: number;
    forSeconds: number;
    severity: string;
    updatedBy: string;
  }
  const putRules = (token: string, rules: object[]) =>
    call<{ rules: Rule[]; message?: string }>(t, 'PUT', '/api/alerts/rules', { token, body: { rules } });
  /** Samples the resources now and waits for the rules' evaluation of that sample. */
  const sampleAndEvaluate = async () => {
    const sample = await t.app.get(SystemSampler).sampleNow();
    await t.app.get(AlertRulesService).evaluate({
      cpuPercent: sample.cpuPercent,
      memoryPercent: sample.memoryPercent,
      rssBytes: Number(sample.rssBytes),
      eventLoopLagMs: sample.eventLoopLagMs,
      diskUsedPercent: sample.diskUsedPercent,
      loadAverage: sample.loadAverage,
    });
    return sample;
  };

  it('fires a rule the machine exceeds, lists it, acknowledges it, and resolves it once the threshold is above the value', async () => {
    const rules = await call<{ rules: Rule[] }>(t, 'GET', '/api/alerts/rules', { token: reader });
    expect(rules.status).toBe(200);
    expect(rules.body.rules.map((rule) => rule.type)).toEqual([
      'EVENT_LOOP_LAG',
      'HIGH_CPU',
      'HIGH_DISK',
      'HIGH_MEMORY',
    ]);
    expect(rules.body.rules.find((rule) => rule.type === 'HIGH_MEMORY')).toMatchObject({
      enabled: true,
      threshold: 90,
      forSeconds: 60,
      updatedBy: 'system',
    });

    expect((await putRules(trader, [{ type: 'HIGH_MEMORY', threshold: 1 }])).status).toBe(403);
    const bad = await putRules(admin, [
      { type: 'HIGH_MEMORY', threshold: 150 },
      { type: 'HIGH_CPU', severity: 'critical' },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('rules.0.threshold: must be between 0 and 100 for HIGH_MEMORY');
    expect((await putRules(admin, [{ type: 'NO_SUCH_RULE', threshold: 1 }])).status).toBe(400);
    expect(
      (await call<{ rules: Rule[] }>(t, 'GET', '/api/alerts/rules', { token: reader })).body.rules.find(
        (rule) => rule.type === 'HIGH_CPU',
      )?.severity,
    ).toBe('warning');

    // Held for a second before it fires: pending at the first evaluation, firing at the next one.
    const changed = await putRules(admin, [
      { type: 'HIGH_MEMORY', threshold: 1, forSeconds: 1, severity: 'critical' },
    ]);
    expect(changed.status).toBe(200);
    expect(changed.body.rules.find((rule) => rule.type === 'HIGH_MEMORY')).toMatchObject({
      threshold: 1,
      forSeconds: 1,
      severity: 'critical',
    });
    expect(changed.body.rules.find((rule) => rule.type === 'HIGH_MEMORY')?.updatedBy).toMatch(/^user:/);
    const firstSample = await sampleAndEvaluate();
    expect(firstSample.memoryPercent).toBeGreaterThan(1);
    const activeMemory = () =>
      call<{ items: StoredAlert[]; activeAlerts: number }>(
        t,
        'GET',
        '/api/alerts?activeOnly=true&type=HIGH_MEMORY',
        {
          token: reader,
        },
      );
    expect((await activeMemory()).body.activeAlerts).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await sampleAndEvaluate();
    const fired = await alertMessage('ALERT_RAISED', (alert) => alert.type === 'HIGH_MEMORY');
    expect(fired.data).toMatchObject({ severity: 'critical', source: 'system', status: 'firing' });
    const listed = await activeMemory();
    expect(listed.body.activeAlerts).toBe(1);
    expect(listed.body.items[0].id).toBe(fired.data.id);
    const acknowledged = await call<StoredAlert>(t, 'POST', `/api/alerts/${fired.data.id}/acknowledge`, {
      token: trader,
      body: {},
    });
    expect(acknowledged.body.status).toBe('acknowledged');

    const raised = await putRules(admin, [{ type: 'HIGH_MEMORY', threshold: 100 }]);
    expect(raised.status).toBe(200);
    // Fields left out keep their values.
    expect(raised.body.rules.find((rule) => rule.type === 'HIGH_MEMORY')).toMatchObject({
      threshold: 100,
      forSeconds: 1,
      severity: 'critical',
    });
    await sampleAndEvaluate();
    const resolved = await alertMessage('ALERT_RESOLVED', (alert) => alert.id === fired.data.id);
    expect(resolved.data).toMatchObject({ status: 'resolved', resolvedBy: 'system' });
    expect((await activeMemory()).body.activeAlerts).toBe(0);
  });

  it('stores a silenced alert without handing it to the webhooks, until the silence is deleted', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const silence = (token: string, body: object) =>
      call<{ id: string; status: string; matchers: object; message?: string }>(
        t,
        'POST',
        '/api/alerts/silences',
        {
          token,
          body,
        },
      );
    expect((await silence(reader, { matchers: { type: 'BOT_ERROR' }, until, comment: 'x' })).status).toBe(
      403,
    );
    expect((await silence(trader, { matchers: {}, until, comment: 'x' })).status).toBe(400);
    expect(
      (
        await silence(trader, {
          matchers: { type: 'BOT_ERROR' },
          until: '2020-01-01T00:00:00Z',
          comment: 'x',
        })
      ).status,
    ).toBe(400);
    const created = await silence(trader, {
      matchers: { type: 'BOT_ERROR', severity: 'critical' },
      until,
      comment: 'exchange maintenance',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'active',
      matchers: { type: 'BOT_ERROR', severity: 'critical' },
    });

    const botError = (level: 'critical' | 'warning', id: string) =>
      t.app.get(EventBus).publish('alert.raised', {
        level,
        source: 'engine',
        code: 'BOT_ERROR',
        message: 'exchange down',
        botId: id,
        at: new Date().toISOString(),
      });
    const silencedBot = '1b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11';
    const loudBot = '2b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11';
    botError('critical', silencedBot);
    botError('warning', loudBot);
    const silenced = await alertMessage('ALERT_RAISED', (alert) => alert.source === `bot:${silencedBot}`);
    const loud = await alertMessage('ALERT_RAISED', (alert) => alert.source === `bot:${loudBot}`);
    expect((silenced.data as unknown as { silencedBy: string }).silencedBy).toBe(created.body.id);
    expect((loud.data as unknown as { silencedBy: string | null }).silencedBy).toBeNull();
    const outboxed = async (alertId: string, type = 'alert.raised') =>
      Number(
        (
          await t.app
            .get(DataSource)
            .query<Array<{ n: string }>>(
              "SELECT count(*) AS n FROM outbox_events WHERE type = $2 AND data->>'id' = $1",
              [alertId, type],
            )
        )[0].n,
      );
    expect(await outboxed(silenced.data.id)).toBe(0);
    expect(await outboxed(loud.data.id)).toBe(1);

    const listed = await call<{ silences: Array<{ id: string }> }>(
      t,
      'GET',
      '/api/alerts/silences?activeOnly=true',
      {
        token: reader,
      },
    );
    expect(listed.body.silences.map((one) => one.id)).toContain(created.body.id);
    const deleted = await call<{ status: string; expiredBy: string }>(
      t,
      'DELETE',
      `/api/alerts/silences/${created.body.id}`,
      { token: trader },
    );
    expect(deleted.status).toBe(200);
    expect(deleted.body.status).toBe('expired');
    expect(deleted.body.expiredBy).toMatch(/^user:/);
    expect(
      (await call(t, 'DELETE', `/api/alerts/silences/${created.body.id}`, { token: trader })).status,
    ).toBe(409);
    const after = await call<{ silences: Array<{ id: string }> }>(
      t,
      'GET',
      '/api/alerts/silences?activeOnly=true',
      {
        token: reader,
      },
    );
    expect(after.body.silences.map((one) => one.id)).not.toContain(created.body.id);

    // Once it ended, a repeat of the same condition is told: the raise it never had.
    botError('critical', silencedBot);
    const repeated = await alertMessage(
      'ALERT_UPDATED',
      (alert) => alert.id === silenced.data.id && alert.count === 2,
    );
    expect((repeated.data as unknown as { silencedBy: string | null }).silencedBy).toBeNull();
    expect(await outboxed(silenced.data.id)).toBe(1);

    // An alert that was told, silenced since: its resolution is told too.
    const hush = await silence(trader, {
      matchers: { type: 'BOT_ERROR', severity: 'warning' },
      until,
      comment: 'quiet now',
    });
    expect(hush.status).toBe(201);
    botError('warning', loudBot);
    await alertMessage('ALERT_UPDATED', (alert) => alert.id === loud.data.id && alert.count === 2);
    await call(t, 'POST', `/api/alerts/${loud.data.id}/resolve`, { token: trader, body: {} });
    expect(await outboxed(loud.data.id, 'alert.resolved')).toBe(1);
    await call(t, 'POST', `/api/alerts/${silenced.data.id}/resolve`, { token: trader, body: {} });
    expect(await outboxed(silenced.data.id, 'alert.resolved')).toBe(1);
    await call(t, 'DELETE', `/api/alerts/silences/${hush.body.id}`, { token: trader });
  });

  it('raises alerts for a locked username, an API key about to expire, and orders reconciliation could not settle', async () => {
    const active = async (type: string) =>
      (
        await call<{ items: Array<StoredAlert & { data: Record<string, unknown> }> }>(
          t,
          'GET',
          `/api/alerts?activeOnly=true&type=${type}`,
          { token: reader },
        )
      ).body.items;

    const victim = await createUser(t, admin, Role.READ_ONLY);
    for (let attempt = 0; attempt < 5; attempt++)
      expect(
        (
          await call(t, 'POST', '/api/auth/login', {
            body: { username: victim.username, password: 'not-the-password-at-all' },
          })
        ).status,
      ).toBe(401);
    const locked = await alertMessage('ALERT_RAISED', (alert) => alert.type === 'LOGIN_FAILURES');
    expect((locked.data as unknown as { message: string }).message).toContain(victim.username);
    expect(locked.data).toMatchObject({
      source: 'auth',
      severity: 'warning',
      status: 'firing',
    });

    const soon = await createKey(t, admin, {
      name: 'expiring soon',
      permissions: [Role.READ_ONLY],
      expiresDays: 2,
    });
    await createKey(t, admin, { name: 'expiring later', permissions: [Role.READ_ONLY], expiresDays: 30 });
    await t.app.get(AlertSources).checkApiKeys();
    const expiring = await active('API_KEY_EXPIRING');
    expect(expiring.map((alert) => alert.source)).toEqual([`apiKey:${soon.keyId}`]);
    expect(expiring[0].data).toMatchObject({ name: 'expiring soon', expiresAt: soon.expiresAt });

    const report = {
      trigger: 'periodic' as const,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      checked: 4,
      changed: 1,
      adopted: 0,
      errors: 0,
    };
    t.app.get(EventBus).publish('orders.reconciled', { ...report, stillUnknown: 2 });
    const stuck = await alertMessage('ALERT_RAISED', (alert) => alert.type === 'ORDER_STUCK');
    expect(stuck.data).toMatchObject({ source: 'reconciler', status: 'firing' });
    // Raised from the same report: stored by the time its own message went out.
    await alertMessage('ALERT_RAISED', (alert) => alert.type === 'RECONCILIATION_MISMATCH');
    expect((await active('RECONCILIATION_MISMATCH')).map((alert) => alert.severity)).toEqual(['warning']);
    t.app.get(EventBus).publish('orders.reconciled', { ...report, changed: 0, stillUnknown: 0 });
    const settled = await alertMessage('ALERT_RESOLVED', (alert) => alert.id === stuck.data.id);
    expect(settled.data.resolvedBy).toBe('system');
  });
});
