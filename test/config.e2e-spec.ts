import { DataSource } from 'typeorm';
import { Role } from '../src/platform/access/role';
import { RuntimeSettings } from '../src/platform/settings/runtime-settings';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

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
