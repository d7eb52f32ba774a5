import { DataSource } from 'typeorm';
import { Role } from '../../src/platform/access/role';
import { PasswordHasher } from '../../src/auth/password-hasher';
import type { AppConfig } from '../../src/platform/config/app-config';
import { call, createKey, createUser, login, loginAdmin } from '../support/auth-client';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';

describe('users, roles and the audit trail', () => {
  let t: TestApp;
  let superAdmin: string;
  let superAdminId: string;
  let admin: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ADMIN: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
      RATE_LIMIT_ANONYMOUS: '100000',
    });
    superAdmin = (await loginAdmin(t)).accessToken;
    superAdminId = (await call<{ id: string }>(t, 'GET', '/api/auth/me', { token: superAdmin })).body.id;
    admin = await createUser(t, superAdmin, Role.ADMIN);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('created the first SUPER_ADMIN from ADMIN_USERNAME / ADMIN_PASSWORD, with an scrypt hash', async () => {
    const rows = await t.app
      .get(DataSource)
      .query<Array<{ username: string; role: string; password_hash: string }>>(
        `SELECT username, role, password_hash FROM users WHERE id = $1`,
        [superAdminId],
      );
    expect(rows[0]).toMatchObject({ username: TEST_ADMIN.username, role: 'SUPER_ADMIN' });
    // The configured cost (17 unless a test sets it lower; load-config.spec checks that floor).
    const cost = t.config.auth.passwordHashCost;
    expect(rows[0].password_hash).toMatch(
      new RegExp(`^scrypt\\$${cost}\\$8\\$1\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}$`),
    );
    expect(rows[0].password_hash).not.toContain(TEST_ADMIN.password);
  });

  it('redoes a password hash of another cost at the next sign-in, and the password still works', async () => {
    const user = await createUser(t, superAdmin, Role.READ_ONLY);
    const cost = t.config.auth.passwordHashCost;
    const otherCost = new PasswordHasher({ auth: { passwordHashCost: cost + 1 } } as AppConfig);
    const dataSource = t.app.get(DataSource);
    const storedHash = async () =>
      (
        await dataSource.query<Array<{ h: string }>>('SELECT password_hash AS h FROM users WHERE id = $1', [
          user.id,
        ])
      )[0].h;
    // As if PASSWORD_HASH_COST had been different when the password was set.
    await dataSource.query('UPDATE users SET password_hash = $1 WHERE id = $2', [
      await otherCost.hash(user.password),
      user.id,
    ]);
    expect(await storedHash()).toMatch(new RegExp(`^scrypt\\$${cost + 1}\\$`));
    await login(t, user.username, user.password);
    expect(await storedHash()).toMatch(new RegExp(`^scrypt\\$${cost}\\$`));
    await login(t, user.username, user.password);
  });

  it('an ADMIN creates users below ADMIN, and mass assignment of a higher role is refused', async () => {
    const created = await call(t, 'POST', '/api/users', {
      token: admin.token,
      body: { username: 'viewer-1', password: 'a-long-password-1' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'viewer-1', role: 'READ_ONLY', enabled: true });
    expect(created.body).not.toHaveProperty('passwordHash');
    for (const role of ['SUPER_ADMIN', 'ADMIN']) {
      const refused = await call(t, 'POST', '/api/users', {
        token: admin.token,
        body: { username: `x-${role}`, password: 'a-long-password-1', role },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('AUTHORIZATION_ERROR');
    }
    const unknownField = await call(t, 'POST', '/api/users', {
      token: admin.token,
      body: { username: 'viewer-2', password: 'a-long-password-1', tokenVersion: 5 },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toContain('tokenVersion');
    const weak = await call(t, 'POST', '/api/users', {
      token: admin.token,
      body: { username: 'viewer-3', password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(
      (
        await call(t, 'POST', '/api/users', {
          token: admin.token,
          body: { username: 'VIEWER-1', password: 'a-long-password-1' },
        })
      ).status,
    ).toBe(409);
    // Nothing was created by the refused requests.
    const list = await call<{ items: Array<{ username: string }>; total: number }>(
      t,
      'GET',
      '/api/users?limit=500',
      { token: superAdmin },
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(list.body.total);
    // Usernames are unique regardless of case, so compare them in lower case.
    const usernames = list.body.items.map((user) => user.username.toLowerCase());
    expect(usernames).toContain('viewer-1');
    for (const name of ['x-SUPER_ADMIN', 'x-ADMIN', 'viewer-2', 'viewer-3'])
      expect(usernames).not.toContain(name.toLowerCase());
  });

  it('only a SUPER_ADMIN manages ADMIN users; nobody removes the last SUPER_ADMIN', async () => {
    const other = await createUser(t, superAdmin, Role.ADMIN);
    expect(
      (await call(t, 'PATCH', `/api/users/${other.id}`, { token: admin.token, body: { enabled: false } }))
        .status,
    ).toBe(403);
    expect((await call(t, 'DELETE', `/api/users/${other.id}`, { token: admin.token })).status).toBe(403);
    expect(
      (await call(t, 'PATCH', `/api/users/${superAdminId}`, { token: superAdmin, body: { role: 'ADMIN' } }))
        .status,
    ).toBe(409);
    expect(
      (await call(t, 'PATCH', `/api/users/${superAdminId}`, { token: superAdmin, body: { enabled: false } }))
        .status,
    ).toBe(409);
    expect((await call(t, 'DELETE', `/api/users/${superAdminId}`, { token: superAdmin })).status).toBe(409);
    expect((await call(t, 'GET', '/api/auth/me', { token: superAdmin })).body.role).toBe('SUPER_ADMIN');
    expect((await call(t, 'DELETE', `/api/users/${other.id}`, { token: superAdmin })).status).toBe(200);
    expect((await call(t, 'GET', `/api/users/${other.id}`, { token: superAdmin })).status).toBe(404);
    expect((await call(t, 'GET', '/api/users/not-a-uuid', { token: superAdmin })).status).toBe(400);
  });

  it('GET /api/audit shows the login, key creation and role change of this test, with actor and IP', async () => {
    const user = await createUser(t, superAdmin, Role.READ_ONLY);
    const key = await createKey(t, superAdmin, { name: 'audited-key', permissions: ['READ_ONLY'] });
    expect(
      (await call(t, 'PATCH', `/api/users/${user.id}`, { token: superAdmin, body: { role: 'CONTROL' } }))
        .status,
    ).toBe(200);
    expect(
      (await call(t, 'PATCH', `/api/keys/${key.keyId}`, { token: admin.token, body: { name: 'renamed' } }))
        .status,
    ).toBe(200);
    type Entry = {
      action: string;
      actorId: string;
      actorName: string;
      ip: string;
      targetId: string;
      result: string;
      details: Record<string, unknown>;
    };
    const audit = await call<{ items: Entry[]; total: number }>(t, 'GET', '/api/audit?limit=500', {
      token: admin.token,
    });
    expect(audit.status).toBe(200);
    const find = (action: string, targetId: string) =>
      audit.body.items.find((entry) => entry.action === action && entry.targetId === targetId);
    expect(find('auth.login', user.id)).toMatchObject({
      actorId: user.id,
      actorName: user.username,
      ip: '127.0.0.1',
      result: 'success',
    });
    expect(find('key.create', key.keyId)).toMatchObject({
      actorId: superAdminId,
      ip: '127.0.0.1',
      result: 'success',
    });
    expect(find('user.role_change', user.id)).toMatchObject({
      actorId: superAdminId,
      ip: '127.0.0.1',
      details: { role: { from: 'READ_ONLY', to: 'CONTROL' } },
    });
    expect(find('key.update', key.keyId)).toMatchObject({ actorId: admin.id, result: 'success' });
    const filtered = await call<{ items: Entry[] }>(
      t,
      'GET',
      `/api/audit?action=user.role_change&targetId=${user.id}`,
      { token: admin.token },
    );
    expect(filtered.body.items).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toMatch(/password-of-|scrypt\$|tp_live_[A-Za-z0-9]{10}_[\w-]{43}/);
  });

  it('records failed logins with the claimed username and address', async () => {
    await call(t, 'POST', '/api/auth/login', {
      body: { username: 'mallory', password: 'guessing-password' },
    });
    const audit = await call<{ items: Array<Record<string, unknown>> }>(
      t,
      'GET',
      '/api/audit?action=auth.login&result=failure',
      { token: admin.token },
    );
    expect(audit.body.items[0]).toMatchObject({
      actorType: 'anonymous',
      actorName: 'mallory',
      ip: '127.0.0.1',
      result: 'failure',
      details: { reason: 'unknown_user' },
    });
  });

  it('the audit table refuses UPDATE, DELETE and TRUNCATE', async () => {
    const dataSource = t.app.get(DataSource);
    await expect(dataSource.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    const [{ count }] = await dataSource.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM audit_log`,
    );
    expect(count).toBeGreaterThan(5);
  });
});
