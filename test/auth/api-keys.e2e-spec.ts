import { DataSource } from 'typeorm';
import { AuthPrincipalResolver } from '../../src/auth/principal-resolver';
import { Role } from '../../src/platform/access/role';
import { call, createKey, createUser, loginAdmin } from '../support/auth-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('API keys', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp(
      { RATE_LIMIT_READ_ONLY: '100000', RATE_LIMIT_ADMIN: '100000', RATE_LIMIT_KEY_CREATION: '100000' },
      { captureLogs: true },
    );
    admin = (await loginAdmin(t)).accessToken;
  });
  afterAll(async () => {
    await t?.close();
  });

  const me = (apiKey: string) => call(t, 'GET', '/api/auth/me', { apiKey });

  /** Every text column of every table, as one string, to look for a secret. */
  async function everyStoredValue(): Promise<string> {
    const dataSource = t.app.get(DataSource);
    const tables = await dataSource.query<Array<{ tablename: string }>>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
    );
    const dumps = await Promise.all(
      tables.map(({ tablename }) => dataSource.query<unknown[]>(`SELECT * FROM "${tablename}"`)),
    );
    return JSON.stringify(dumps);
  }

  it('creates a key that works at once, by X-API-Key and as a bearer, with the seed shape', async () => {
    const key = await createKey(t, admin, {
      name: 'Production Dashboard',
      permissions: ['READ_ONLY', 'CONTROL'],
      rateLimit: 500,
      expiresDays: 30,
    });
    expect(key).toEqual({
      id: key.keyId,
      keyId: expect.any(String),
      apiKey: expect.stringMatching(/^tp_live_[A-Za-z0-9]{10}_[\w-]{43}$/),
      name: 'Production Dashboard',
      permissions: ['READ_ONLY', 'CONTROL'],
      rateLimit: 500,
      createdAt: expect.any(String),
      lastUsed: null,
      expiresAt: expect.any(String),
      enabled: true,
      maskedKey: expect.stringMatching(/^tp_live_[A-Za-z0-9]{10}_…[\w-]{4}$/),
    });
    const days = (new Date(key.expiresAt as string).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const byHeader = await me(key.apiKey);
    expect(byHeader.status).toBe(200);
    expect(byHeader.body).toEqual({
      kind: 'apiKey',
      id: key.keyId,
      name: 'Production Dashboard',
      role: 'CONTROL',
      permissions: ['READ_ONLY', 'CONTROL'],
    });
    expect((await call(t, 'GET', '/api/auth/me', { token: key.apiKey })).status).toBe(200);
    // 256 random bits: two keys never share a secret.
    const other = await createKey(t, admin, { name: 'other', permissions: ['READ_ONLY'] });
    expect(other.apiKey).not.toBe(key.apiKey);
  });

  it('never shows, stores or logs the plaintext key again', async () => {
    const key = await createKey(t, admin, { name: 'secretive', permissions: ['READ_ONLY'] });
    expect((await me(key.apiKey)).status).toBe(200);
    const listed = await call(t, 'GET', '/api/keys?limit=500', { token: admin });
    const fetched = await call(t, 'GET', `/api/keys/${key.keyId}`, { token: admin });
    const audit = await call(t, 'GET', '/api/audit?limit=500', { token: admin });
    // The 256-bit secret after `tp_live_<10-char prefix>_` (it may itself contain `_`), less the last
    // 4 characters that the masked key shows on purpose.
    const secretPart = key.apiKey.slice('tp_live_'.length + 11, -4);
    expect(secretPart).toHaveLength(39);
    for (const response of [listed, fetched, audit]) {
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toContain(secretPart);
    }
    expect(fetched.body.maskedKey).toBe(key.maskedKey);
    expect(await everyStoredValue()).not.toContain(secretPart);
    expect(t.logs.length).toBeGreaterThan(0);
    expect(t.logs.join('\n')).not.toContain(secretPart);
  });

  it("accepts seed 003's query form", async () => {
    const created = await call<{
      apiKey: string;
      permissions: string[];
      rateLimit: number;
      expiresAt: string;
    }>(t, 'POST', '/api/keys?name=From%20query&permissions=READ_ONLY,CONTROL&rate_limit=250&expires_days=7', {
      token: admin,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ permissions: ['READ_ONLY', 'CONTROL'], rateLimit: 250 });
    expect((await me(created.body.apiKey)).status).toBe(200);
    const invalid = await call(t, 'POST', '/api/keys?name=x&permissions=READ_ONLY,GOD', { token: admin });
    expect(invalid.status).toBe(400);
    expect(
      (
        await call(t, 'POST', '/api/keys', {
          token: admin,
          body: { name: 'x', permissions: ['READ_ONLY'], extra: 1 },
        })
      ).status,
    ).toBe(400);
  });

  it('disable, enable, rotate and revoke take effect at once', async () => {
    const key = await createKey(t, admin, { name: 'lifecycle', permissions: ['READ_ONLY'] });
    expect(
      (await call(t, 'PATCH', `/api/keys/${key.keyId}`, { token: admin, body: { enabled: false } })).status,
    ).toBe(200);
    expect((await me(key.apiKey)).status).toBe(401);
    expect(
      (
        await call(t, 'PATCH', `/api/keys/${key.keyId}`, {
          token: admin,
          body: { enabled: true, name: 'renamed' },
        })
      ).body.name,
    ).toBe('renamed');
    expect((await me(key.apiKey)).status).toBe(200);

    const rotated = await call<{ apiKey: string; keyId: string }>(
      t,
      'POST',
      `/api/keys/${key.keyId}/rotate`,
      { token: admin },
    );
    expect(rotated.status).toBe(201);
    expect(rotated.body.keyId).toBe(key.keyId);
    expect((await me(key.apiKey)).status).toBe(401);
    expect((await me(rotated.body.apiKey)).status).toBe(200);

    expect((await call(t, 'DELETE', `/api/keys/${key.keyId}`, { token: admin })).status).toBe(200);
    expect((await me(rotated.body.apiKey)).status).toBe(401);
    expect((await call(t, 'GET', `/api/keys/${key.keyId}`, { token: admin })).status).toBe(404);
    const listed = await call<{ items: Array<{ keyId: string }> }>(t, 'GET', '/api/keys?limit=500', {
      token: admin,
    });
    expect(listed.body.items.map((item) => item.keyId)).not.toContain(key.keyId);
  });

  it("holds no more than its creator's current role, and dies with its creator", async () => {
    const creator = await createUser(t, admin, Role.SUPER_ADMIN);
    const key = await createKey(t, creator.token, { name: 'creator-bound', permissions: ['SUPER_ADMIN'] });
    // A key made with that key acts for the same person.
    const childKey = await call<{ keyId: string; apiKey: string }>(t, 'POST', '/api/keys', {
      apiKey: key.apiKey,
      body: { name: 'child', permissions: ['ADMIN'] },
    });
    expect(childKey.status).toBe(201);
    expect((await me(key.apiKey)).body).toMatchObject({ role: 'SUPER_ADMIN' });

    const demote = (role: string) =>
      call(t, 'PATCH', `/api/users/${creator.id}`, { token: admin, body: { role } });
    expect((await demote('READ_ONLY')).status).toBe(200);
    expect((await me(key.apiKey)).body).toMatchObject({ role: 'READ_ONLY', permissions: ['READ_ONLY'] });
    expect((await me(childKey.body.apiKey)).body).toMatchObject({ role: 'READ_ONLY' });
    const escalation = await call(t, 'POST', '/api/users', {
      apiKey: key.apiKey,
      body: { username: `escalated-${process.pid}`, password: 'escalated-password-1', role: 'SUPER_ADMIN' },
    });
    expect(escalation.status).toBe(403);
    expect((await call(t, 'GET', '/api/users', { apiKey: key.apiKey })).status).toBe(403);
    expect((await demote('ADMIN')).status).toBe(200);
    expect((await me(key.apiKey)).body).toMatchObject({ role: 'ADMIN' });

    const setEnabled = (enabled: boolean) =>
      call(t, 'PATCH', `/api/users/${creator.id}`, { token: admin, body: { enabled } });
    expect((await setEnabled(false)).status).toBe(200);
    expect((await me(key.apiKey)).status).toBe(401);
    expect((await me(childKey.body.apiKey)).status).toBe(401);
    expect((await setEnabled(true)).status).toBe(200);
    expect((await me(key.apiKey)).status).toBe(200);

    // Deleting the creator revokes their keys, and says so in the audit trail.
    expect((await call(t, 'DELETE', `/api/users/${creator.id}`, { token: admin })).status).toBe(200);
    expect((await me(key.apiKey)).status).toBe(401);
    expect((await me(childKey.body.apiKey)).status).toBe(401);
    expect((await call(t, 'GET', `/api/keys/${key.keyId}`, { token: admin })).status).toBe(404);
    const audit = await call<{ items: Array<{ action: string; targetId: string; details: unknown }> }>(
      t,
      'GET',
      '/api/audit?limit=500',
      { token: admin },
    );
    const revocations = audit.body.items.filter(
      (entry) => entry.action === 'key.revoke' && [key.keyId, childKey.body.keyId].includes(entry.targetId),
    );
    expect(revocations.map((entry) => entry.details)).toEqual([
      { reason: 'creator_deleted', creator: creator.id },
      { reason: 'creator_deleted', creator: creator.id },
    ]);
  });

  it('refuses an expired key', async () => {
    const key = await createKey(t, admin, { name: 'expiring', permissions: ['READ_ONLY'], expiresDays: 1 });
    expect((await me(key.apiKey)).status).toBe(200);
    await t.app
      .get(DataSource)
      .query(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [key.keyId]);
    t.app.get(AuthPrincipalResolver).forgetKey(key.apiKey.split('_')[2]);
    expect((await me(key.apiKey)).status).toBe(401);
  });

  it("applies the key's own hourly limit on top of the role's", async () => {
    const key = await createKey(t, admin, { name: 'tiny', permissions: ['READ_ONLY'], rateLimit: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await me(key.apiKey)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('records lastUsed, at most once a minute', async () => {
    const key = await createKey(t, admin, { name: 'used', permissions: ['READ_ONLY'] });
    await me(key.apiKey);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const first = (await call<{ lastUsed: string }>(t, 'GET', `/api/keys/${key.keyId}`, { token: admin }))
      .body.lastUsed;
    expect(first).not.toBeNull();
    await me(key.apiKey);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(
      (await call<{ lastUsed: string }>(t, 'GET', `/api/keys/${key.keyId}`, { token: admin })).body.lastUsed,
    ).toBe(first);
  });

  it('refuses a malformed or unknown key without a 500', async () => {
    for (const apiKey of ['tp_live_short', 'tp_live_AAAAAAAAAA_' + 'A'.repeat(43), 'x'.repeat(5000)]) {
      expect((await me(apiKey)).status).toBe(401);
    }
  });
});
