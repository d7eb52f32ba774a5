import { startTestApp, TestApp } from './support/test-app';

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
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const docs = await fetch(`${t.baseUrl}/redoc`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(docs.headers.get('content-security-policy')).toContain("worker-src 'self' blob:");
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
