import { Role } from '../../src/platform/access/role';
import { call, craftToken, createUser, login, loginAdmin, unsignedToken } from '../support/auth-client';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';

describe('access tokens, refresh tokens and sessions', () => {
  let t: TestApp;
  let adminToken: string;
  let adminId: string;

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ANONYMOUS: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
      RATE_LIMIT_ADMIN: '100000',
    });
    adminToken = (await loginAdmin(t)).accessToken;
    adminId = (await call<{ id: string }>(t, 'GET', '/api/auth/me', { token: adminToken })).body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const me = (token: string) => call(t, 'GET', '/api/auth/me', { token });

  it('login answers the token shape and the token identifies the user', async () => {
    const tokens = await loginAdmin(t);
    expect(tokens).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      refreshExpiresIn: 14 * 86_400,
    });
    const header = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0], 'base64url').toString());
    const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString());
    expect(header.alg).toBe('HS256');
    expect(claims).toMatchObject({
      iss: 'tradeplane',
      aud: 'tradeplane-api',
      sub: adminId,
      role: 'SUPER_ADMIN',
    });
    expect(claims.exp - claims.iat).toBe(900);
    expect(typeof claims.jti).toBe('string');
    const response = await me(tokens.accessToken);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      kind: 'user',
      id: adminId,
      name: TEST_ADMIN.username,
      role: 'SUPER_ADMIN',
    });
    expect(response.body.permissions).toEqual(['READ_ONLY', 'CONTROL', 'ADMIN', 'SUPER_ADMIN']);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await call(t, 'POST', '/api/auth/login', {
      body: { username: TEST_ADMIN.username, password: 'not-the-password' },
    });
    const unknown = await call(t, 'POST', '/api/auth/login', {
      body: { username: 'nobody-here', password: 'whatever-password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.body.error).toBe('AUTHENTICATION_ERROR');
  });

  it('refuses forged tokens: alg none, another secret, expired, wrong issuer or audience, another algorithm', async () => {
    const valid = { sub: adminId, role: Role.SUPER_ADMIN };
    const forged = [
      unsignedToken({
        ...valid,
        iss: 'tradeplane',
        aud: 'tradeplane-api',
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
      craftToken('another-secret-that-is-long-enough-123', valid),
      craftToken(t.config.jwtSecret, {
        ...valid,
        iat: Math.floor(Date.now() / 1000) - 7200,
        exp: Math.floor(Date.now() / 1000) - 3600,
      }),
      craftToken(t.config.jwtSecret, { ...valid, iss: 'someone-else' }),
      craftToken(t.config.jwtSecret, { ...valid, aud: 'another-api' }),
      craftToken(t.config.jwtSecret, valid, { algorithm: 'HS384' }),
      'not.a.token',
    ];
    for (const token of forged) {
      const response = await me(token);
      expect({ token, status: response.status }).toEqual({ token, status: 401 });
      expect(response.body.error).toBe('AUTHENTICATION_ERROR');
    }
  });

  it('refuses a correctly signed token whose session does not exist (tokens are bound to sign-ins)', async () => {
    expect((await me(craftToken(t.config.jwtSecret, { sub: adminId }))).status).toBe(401);
  });

  it('a refresh token works once; reusing it ends the whole session, new tokens included', async () => {
    const first = await loginAdmin(t);
    const rotated = await call<{ accessToken: string; refreshToken: string }>(
      t,
      'POST',
      '/api/auth/refresh',
      {
        body: { refreshToken: first.refreshToken },
      },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    expect((await me(rotated.body.accessToken)).status).toBe(200);

    const reuse = await call(t, 'POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(reuse.status).toBe(401);
    expect((await me(rotated.body.accessToken)).status).toBe(401);
    expect((await me(first.accessToken)).status).toBe(401);
    const afterReuse = await call(t, 'POST', '/api/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });
    expect(afterReuse.status).toBe(401);
    // Other sessions of the same user are untouched.
    expect((await me(adminToken)).status).toBe(200);
  });

  it('of two concurrent uses of one refresh token, exactly one succeeds', async () => {
    const tokens = await loginAdmin(t);
    const answers = await Promise.all(
      [1, 2].map(() => call(t, 'POST', '/api/auth/refresh', { body: { refreshToken: tokens.refreshToken } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
  });

  it('logout ends the session: its access and refresh tokens stop working', async () => {
    const tokens = await loginAdmin(t);
    const out = await call(t, 'POST', '/api/auth/logout', { token: tokens.accessToken, body: {} });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ success: true, message: 'Signed out' });
    expect((await me(tokens.accessToken)).status).toBe(401);
    expect(
      (await call(t, 'POST', '/api/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(401);
  });

  it("a role change or disabling a user makes that user's existing access tokens fail", async () => {
    const user = await createUser(t, adminToken, Role.CONTROL);
    expect((await me(user.token)).body.role).toBe('CONTROL');
    expect(
      (await call(t, 'PATCH', `/api/users/${user.id}`, { token: adminToken, body: { role: 'READ_ONLY' } }))
        .status,
    ).toBe(200);
    expect((await me(user.token)).status).toBe(401);
    const again = await login(t, user.username, user.password);
    expect((await me(again.accessToken)).body.role).toBe('READ_ONLY');

    expect(
      (await call(t, 'PATCH', `/api/users/${user.id}`, { token: adminToken, body: { enabled: false } }))
        .status,
    ).toBe(200);
    expect((await me(again.accessToken)).status).toBe(401);
    expect(
      (await call(t, 'POST', '/api/auth/refresh', { body: { refreshToken: again.refreshToken } })).status,
    ).toBe(401);
    expect(
      (
        await call(t, 'POST', '/api/auth/login', {
          body: { username: user.username, password: user.password },
        })
      ).status,
    ).toBe(401);
  });

  it('locks a username for 15 minutes after 5 failed logins, whatever the address, without touching other users', async () => {
    const user = await createUser(t, adminToken, Role.READ_ONLY);
    for (let attempt = 0; attempt < 5; attempt++) {
      const failed = await call(t, 'POST', '/api/auth/login', {
        body: { username: user.username, password: 'wrong-password!' },
      });
      expect(failed.status).toBe(401);
    }
    const locked = await call(t, 'POST', '/api/auth/login', {
      body: { username: user.username, password: user.password },
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('RATE_LIMITED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(locked.body.retryAfter).toBe(retryAfter);
    // The same username in another case is the same account.
    expect(
      (
        await call(t, 'POST', '/api/auth/login', {
          body: { username: user.username.toUpperCase(), password: user.password },
        })
      ).status,
    ).toBe(429);
    expect((await loginAdmin(t)).accessToken).toBeTruthy();
  });
});
