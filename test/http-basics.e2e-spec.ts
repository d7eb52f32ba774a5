import { request as httpRequest } from 'node:http';
import { Role } from '../src/platform/access/role';
import { drainHttp } from '../src/platform/http/draining';
import { createUser, loginAdmin, call, createKey } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { DataSource } from 'typeorm';
import { IDEMPOTENCY_TTL_MS, IdempotencyService } from '../src/platform/idempotency/idempotency.service';
import { ManualClock } from './support/manual-clock';

/** A request as sent, headers and all (fetch would refuse some of these). */
function raw(
  t: TestApp,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(t.baseUrl);
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(text) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('HTTP basics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://dash.example.com' });
  });
  afterAll(async () => {
    await t?.close();
  });

  function expectErrorShape(body: Record<string, unknown>, status: number, code: string): void {
    expect(body).toEqual(
      expect.objectContaining({
        statusCode: status,
        error: code,
        message: expect.any(String),
        requestId: expect.any(String),
      }),
    );
    expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
  }

  it('answers an unknown route with 404 in the error shape, with the request id of the header', async () => {
    const response = await fetch(`${t.baseUrl}/api/nope`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as Record<string, unknown>;
    expectErrorShape(body, 404, 'NOT_FOUND');
    expect(response.headers.get('x-request-id')).toBe(body.requestId);
  });

  it('keeps a caller-supplied X-Request-Id and replaces an unsafe one', async () => {
    const kept = await fetch(`${t.baseUrl}/api/nope`, { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(((await kept.json()) as { requestId: string }).requestId).toBe('trace-abc.123');
    const replaced = await fetch(`${t.baseUrl}/api/health/live`, {
      headers: { 'X-Request-Id': 'bad id <script>' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a known path with a wrong method 405 and an Allow header', async () => {
    const response = await fetch(`${t.baseUrl}/api/health`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expectErrorShape((await response.json()) as Record<string, unknown>, 405, 'METHOD_NOT_ALLOWED');
  });

  it('answers a malformed JSON body 400 in the error shape', async () => {
    const response = await fetch(`${t.baseUrl}/api/health/live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(response.status).toBe(400);
    expectErrorShape((await response.json()) as Record<string, unknown>, 400, 'MALFORMED_REQUEST');
  });

  it('answers an offset beyond the safe integers 400, not 500 (found by the contract fuzz test)', async () => {
    const token = (await loginAdmin(t)).accessToken;
    for (const offset of ['1e308', '9007199254740992']) {
      const response = await fetch(`${t.baseUrl}/api/presets?offset=${offset}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(400);
      expectErrorShape((await response.json()) as Record<string, unknown>, 400, 'VALIDATION_ERROR');
    }
  });

  it('answers a too long path parameter 414 and too large headers 431, in the error shape with a request id', async () => {
    const longParam = await raw(t, 'GET', `/api/orders/${'a'.repeat(200)}`, {});
    expect(longParam.status).toBe(414);
    expectErrorShape(longParam.body, 414, 'URI_TOO_LONG');
    expect(longParam.headers['x-request-id']).toBe(longParam.body.requestId);
    for (const oversized of [
      raw(t, 'GET', `/api/health?x=${'a'.repeat(20_000)}`, {}),
      raw(t, 'GET', '/api/health', { 'x-big': 'a'.repeat(20_000) }),
    ]) {
      const response = await oversized;
      expect(response.status).toBe(431);
      expectErrorShape(response.body, 431, 'HEADERS_TOO_LARGE');
      expect(response.headers['x-request-id']).toBe(response.body.requestId);
    }
  });

  it('names a __proto__ key as the fault, not the JSON; refuses text/plain with 415; accepts a bodiless DELETE with a JSON content type', async () => {
    const poisoned = await raw(
      t,
      'POST',
      '/api/auth/login',
      { 'content-type': 'application/json' },
      '{"__proto__": {"role": "SUPER_ADMIN"}, "username": "x", "password": "y"}',
    );
    expect(poisoned.status).toBe(400);
    expectErrorShape(poisoned.body, 400, 'MALFORMED_REQUEST');
    expect(poisoned.body.message).toBe(
      'The request body has a "__proto__" or "constructor.prototype" key, which is not allowed',
    );
    const text = await raw(t, 'POST', '/api/auth/login', { 'content-type': 'text/plain' }, 'hello');
    expect(text.status).toBe(415);
    expectErrorShape(text.body, 415, 'UNSUPPORTED_MEDIA_TYPE');

    const admin = (await loginAdmin(t)).accessToken;
    const user = await createUser(t, admin, Role.READ_ONLY);
    const deleted = await raw(t, 'DELETE', `/api/users/${user.id}`, {
      'content-type': 'application/json',
      authorization: `Bearer ${admin}`,
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ success: true });
  });

  it('answers a 2 MB body 413 in the error shape', async () => {
    const response = await fetch(`${t.baseUrl}/api/health/live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expectErrorShape((await response.json()) as Record<string, unknown>, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('sends security headers on every response', async () => {
    const response = await fetch(`${t.baseUrl}/api/health/live`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    // Headers for HTML documents are not sent with JSON: they mean nothing there.
    expect(response.headers.get('x-xss-protection')).toBeNull();
    expect(response.headers.get('x-download-options')).toBeNull();
    const docs = await fetch(`${t.baseUrl}/redoc`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(docs.headers.get('content-security-policy')).toContain("worker-src 'self' blob:");
    expect(docs.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(docs.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('allows CORS only for the configured origins', async () => {
    const allowed = await fetch(`${t.baseUrl}/api/health/live`, {
      headers: { Origin: 'https://dash.example.com' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    const other = await fetch(`${t.baseUrl}/api/health/live`, {
      headers: { Origin: 'https://evil.example.com' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a protected route without credentials: 401 in the error shape', async () => {
    const response = await fetch(`${t.baseUrl}/api/metrics`);
    expect(response.status).toBe(401);
    expectErrorShape((await response.json()) as Record<string, unknown>, 401, 'AUTHENTICATION_ERROR');
  });
});

describe('HTTP while the server stops', () => {
  it('refuses a new request 503 in the error shape and closes the connection after an answer', async () => {
    const t = await startTestApp();
    try {
      // A keep-alive connection open before the stop.
      const before = await raw(t, 'GET', '/api/health/live', { connection: 'keep-alive' });
      expect(before.status).toBe(200);
      expect(before.headers.connection).toBe('keep-alive');
      drainHttp(t.app);
      const during = await raw(t, 'GET', '/api/health/live', {
        connection: 'keep-alive',
        'x-request-id': 'drain-1',
      });
      expect(during.status).toBe(503);
      expect(during.headers.connection).toBe('close');
      expect(during.headers['retry-after']).toBe('1');
      expect(during.body).toEqual(
        expect.objectContaining({ statusCode: 503, error: 'SERVICE_UNAVAILABLE', requestId: 'drain-1' }),
      );
    } finally {
      await t.close();
    }
  });
});

/** An Idempotency-Key answers the same for a day, then is forgotten. */
describe('idempotency keys expire', () => {
  const clock = new ManualClock(Date.now());
  let t: TestApp;
  let trader: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_CONTROL: '100000' }, { clock });
    const admin = (await loginAdmin(t)).accessToken;
    // A key, not a session: a simulated day passes here.
    trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  const keys = async () =>
    Number(
      (
        await t.app.get(DataSource).query<Array<{ n: string }>>('SELECT count(*) AS n FROM idempotency_keys')
      )[0].n,
    );

  it('replays within a day, forgets after it, and the periodic expiry deletes the old keys', async () => {
    const order = (amount: number) =>
      call<{ id: string }>(t, 'POST', '/api/orders', {
        token: trader,
        headers: { 'idempotency-key': 'expiring-key-1' },
        body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount },
      });
    const first = await order(0.001);
    expect(first.status).toBe(201);
    const replay = await order(0.001);
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body.id]).toEqual([
      201,
      'true',
      first.body.id,
    ]);
    expect((await order(0.002)).status).toBe(409);
    expect(await keys()).toBe(1);

    clock.ms += IDEMPOTENCY_TTL_MS - 1000;
    expect(await t.app.get(IdempotencyService).deleteExpired()).toBe(0);
    clock.ms += 2000;
    expect(await t.app.get(IdempotencyService).deleteExpired()).toBe(1);
    expect(await keys()).toBe(0);
    const fresh = await order(0.002);
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(first.body.id);
  });
});
