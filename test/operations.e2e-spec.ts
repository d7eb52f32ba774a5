import { DataSource } from 'typeorm';
import { Role } from '../src/platform/access/role';
import { RuntimeSettings } from '../src/platform/settings/runtime-settings';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';
import { EventBus } from '../src/platform/events/event-bus';
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

describe('runtime settings (/api/config)', () => {
  let t: TestApp;
  let admin: string;
  let trader: string;
  let reader: string;
  const config = async () => call<Config>(t, 'GET', '/api/config', { token: reader });

  beforeAll(async () => {
    t = await startTestApp({ MARKET_BACKFILL_DAYS: '0', RATE_LIMIT_ADMIN: '100000' });
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

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
  });
});

describe('alerts (/api/alerts)', () => {
  let t: TestApp;
  let admin: string;
  let trader: string;
  let reader: string;
  let socket: TestSocket;

  beforeAll(async () => {
    t = await startTestApp({ MARKET_BACKFILL_DAYS: '0', RATE_LIMIT_ADMIN: '100000' });
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
    socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    socket.send({ type: 'subscribe', topics: ['alerts'] });
    await socket.next((message) => message.type === 'subscribed');
  });
  afterAll(async () => {
    socket?.close();
    await t?.close();
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
    const active = await call<{ total: number; totalAlerts: number; activeAlerts: number }>(
      t,
      'GET',
      '/api/alerts?activeOnly=true',
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
});
