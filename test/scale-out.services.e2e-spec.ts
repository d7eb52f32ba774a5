import { randomUUID } from 'node:crypto';
import { Role } from '../src/platform/access/role';
import { RuntimeSettings } from '../src/platform/settings/runtime-settings';
import { RealtimeFanout } from '../src/realtime/realtime-fanout';
import { call, createKey, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TestSocket, wsUrl } from './support/ws-client';

/**
 * Two instances on one PostgreSQL and one Redis (the local servers): WebSocket events and rate
 * limits are shared through Redis. A namespace of its own keeps this test's keys and channel apart.
 */
describe('two instances behind one Redis', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_NAMESPACE: `tp-test-${randomUUID()}`,
    };
    a = await startTestApp(env, { database });
    b = await startTestApp(env, { database });
    const token = (await loginAdmin(a)).accessToken;
    admin = (await createKey(a, token, { name: 'admin', permissions: [Role.ADMIN] })).apiKey;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  it('a client on instance B receives ORDER_FILLED, once, for an order placed through instance A', async () => {
    expect(a.app.get(RealtimeFanout).shared).toBe(true);
    const trader = (
      await createKey(a, (await loginAdmin(a)).accessToken, { name: 'trader', permissions: [Role.CONTROL] })
    ).apiKey;
    const socket = await TestSocket.open(wsUrl(b.baseUrl, `/ws?token=${encodeURIComponent(trader)}`));
    try {
      socket.send({ type: 'subscribe', topics: ['orders'] });
      await socket.next((message) => message.type === 'subscribed');
      const placed = await call<{ id: string }>(a, 'POST', '/api/orders', {
        apiKey: trader,
        body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 },
      });
      expect(placed.status).toBe(201);
      const isFill = (message: { type: string; data: unknown }) =>
        message.type === 'ORDER_FILLED' && (message.data as { id?: string }).id === placed.body.id;
      await socket.next(isFill, 5_000);
      // Another event after it, through the same channel: had the fill come twice, it would be here by then.
      const second = await call<{ id: string }>(a, 'POST', '/api/orders', {
        apiKey: trader,
        body: { symbol: 'ETH/USDT', side: 'buy', type: 'market', amount: 0.01 },
      });
      await socket.next(
        (message) =>
          message.type === 'ORDER_FILLED' && (message.data as { id?: string }).id === second.body.id,
        5_000,
      );
      expect(socket.messages.filter(isFill)).toHaveLength(1);
      expect(socket.messages.filter((message) => message.type === 'ORDER_PLACED')).toHaveLength(2);
    } finally {
      socket.close();
    }
  });

  it("a role's limit is spent across both instances: the request past it is refused whichever gets it", async () => {
    const put = await call(a, 'PUT', '/api/config', {
      apiKey: admin,
      body: { rateLimits: { readOnlyPerMinute: 10 } },
    });
    expect(put.status).toBe(200);
    const settingsOfB = b.app.get(RuntimeSettings);
    const deadline = Date.now() + 2_000;
    while (settingsOfB.section('rateLimits').readOnlyPerMinute !== 10 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settingsOfB.section('rateLimits').readOnlyPerMinute).toBe(10);

    const reader = (
      await createKey(a, (await loginAdmin(a)).accessToken, { name: 'reader', permissions: [Role.READ_ONLY] })
    ).apiKey;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await call(i % 2 === 0 ? a : b, 'GET', '/api/auth/me', { apiKey: reader })).status);
    expect(statuses).toEqual(Array(10).fill(200));
    const onA = await call(a, 'GET', '/api/auth/me', { apiKey: reader });
    const onB = await call(b, 'GET', '/api/auth/me', { apiKey: reader });
    expect([onA.status, onB.status]).toEqual([429, 429]);
    expect(onB.headers.get('x-ratelimit-limit')).toBe('10');
    const restore = await call(a, 'PUT', '/api/config', {
      apiKey: admin,
      body: { rateLimits: { readOnlyPerMinute: 100 } },
    });
    expect(restore.status).toBe(200);
  });
});
