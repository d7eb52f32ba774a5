import { Role } from '../../src/platform/access/role';
import { call, createKey, createUser, loginAdmin } from '../support/auth-client';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';

describe('rate limits', () => {
  describe('with the default limits', () => {
    let t: TestApp;
    let admin: string;

    beforeAll(async () => {
      t = await startTestApp();
      admin = (await loginAdmin(t)).accessToken;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('the 101st READ_ONLY request in a minute is a 429 with the headers and body of API.md; another principal is unaffected', async () => {
      const [first, second] = [
        await createUser(t, admin, Role.READ_ONLY),
        await createUser(t, admin, Role.READ_ONLY),
      ];
      let last = await call(t, 'GET', '/api/auth/me', { token: first.token });
      expect(last.headers.get('x-ratelimit-limit')).toBe('100');
      expect(last.headers.get('x-ratelimit-remaining')).toBe('99');
      const reset = Number(last.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThan(Date.now() / 1000);
      expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
      for (let i = 2; i <= 100; i++) {
        last = await call(t, 'GET', '/api/auth/me', { token: first.token });
        expect(last.status).toBe(200);
      }
      expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
      const refused = await call(t, 'GET', '/api/auth/me', { token: first.token });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get('x-ratelimit-limit')).toBe('100');
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(refused.body).toEqual({
        statusCode: 429,
        error: 'RATE_LIMITED',
        message: expect.any(String),
        retryAfter,
        limit: 100,
        reset: Number(refused.headers.get('x-ratelimit-reset')),
        timestamp: expect.any(String),
        requestId: refused.headers.get('x-request-id'),
      });
      expect((await call(t, 'GET', '/api/auth/me', { token: second.token })).status).toBe(200);
    });

    it('never limits the health probes', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 30 }, () => call(t, 'GET', '/api/health/live')),
      );
      expect(statuses.every((response) => response.status === 200)).toBe(true);
    });

    it('allows 10 key creations an hour', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        statuses.push(
          (
            await call(t, 'POST', '/api/keys', {
              token: admin,
              body: { name: `k${i}`, permissions: ['READ_ONLY'] },
            })
          ).status,
        );
      }
      expect(statuses).toEqual([...Array(10).fill(201), 429]);
    });
  });

  it('does not spend the key creation budget on refused creations', async () => {
    const t = await startTestApp({ RATE_LIMIT_KEY_CREATION: '2', RATE_LIMIT_ADMIN: '100000' });
    try {
      const admin = (await loginAdmin(t)).accessToken;
      const create = (body: Record<string, unknown>) => call(t, 'POST', '/api/keys', { token: admin, body });
      const refused: number[] = [];
      for (let i = 0; i < 5; i++)
        refused.push((await create({ name: `bad-${i}`, permissions: ['NOBODY'] })).status);
      expect(refused).toEqual(Array(5).fill(400));
      const created: number[] = [];
      for (let i = 0; i < 3; i++)
        created.push((await create({ name: `k${i}`, permissions: ['READ_ONLY'] })).status);
      expect(created).toEqual([201, 201, 429]);
    } finally {
      await t.close();
    }
  });

  it('keeps requests with a refused token apart from the login budget of their address', async () => {
    const t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '5' });
    try {
      const stale = (await loginAdmin(t)).accessToken.slice(0, -4) + 'AAAA';
      const sweep: number[] = [];
      for (let i = 0; i < 8; i++) sweep.push((await call(t, 'GET', '/api/auth/me', { token: stale })).status);
      expect(sweep).toEqual([...Array(5).fill(401), 429, 429, 429]);
      // The login of the same address still has its budget (one login spent above).
      const login = await call(t, 'POST', '/api/auth/login', {
        body: { username: TEST_ADMIN.username, password: TEST_ADMIN.password },
      });
      expect(login.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('limits anonymous callers per IP, and a spoofed X-Forwarded-For does not reset it', async () => {
    const t = await startTestApp();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const response = await call(t, 'POST', '/api/auth/refresh', {
          body: { refreshToken: 'x'.repeat(43) },
          headers: { 'x-forwarded-for': `203.0.113.${i}` },
        });
        statuses.push(response.status);
      }
      expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
      // Unauthenticated calls to protected routes spend the same per-IP budget.
      expect((await call(t, 'GET', '/api/auth/me')).status).toBe(429);
    } finally {
      await t.close();
    }
  });

  describe('behind one trusted proxy (TRUST_PROXY=1)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_ANONYMOUS: '2' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('counts each forwarded client separately, from the hop the proxy added', async () => {
      const attempt = (client: string) =>
        call(t, 'POST', '/api/auth/refresh', {
          body: { refreshToken: 'x'.repeat(43) },
          headers: { 'x-forwarded-for': client },
        });
      expect([
        (await attempt('198.51.100.1')).status,
        (await attempt('198.51.100.1')).status,
        (await attempt('198.51.100.1')).status,
      ]).toEqual([401, 401, 429]);
      expect((await attempt('198.51.100.2')).status).toBe(401);
      // A client cannot pose as another by prepending addresses: only the last hop is trusted.
      expect((await attempt('198.51.100.2, 198.51.100.1')).status).toBe(429);
    });
  });

  it('keeps principals apart: a key and a user never share a bucket', async () => {
    const t = await startTestApp({ RATE_LIMIT_READ_ONLY: '2', RATE_LIMIT_KEY_CREATION: '5' });
    try {
      const admin = (await loginAdmin(t)).accessToken;
      const key = await createKey(t, admin, { name: 'k', permissions: ['READ_ONLY'] });
      const user = await createUser(t, admin, Role.READ_ONLY);
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await call(t, 'GET', '/api/auth/me', { apiKey: key.apiKey })).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect((await call(t, 'GET', '/api/auth/me', { token: user.token })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
