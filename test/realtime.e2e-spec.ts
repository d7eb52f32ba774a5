import { EventBus } from '../src/platform/events/event-bus';
import { SystemSampler } from '../src/monitoring/system-sampler.service';
import { Role } from '../src/platform/access/role';
import '../src/trading/trading.events';
import { call, createUser, loginAdmin, createKey, TestUser } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';
import { ManualClock } from './support/manual-clock';

describe('WebSocket /ws', () => {
  let t: TestApp;
  let admin: string;
  let trader: string;
  let reader: string;
  const sockets: TestSocket[] = [];

  async function open(path = '/ws'): Promise<TestSocket> {
    const socket = await TestSocket.open(wsUrl(t.baseUrl, path));
    sockets.push(socket);
    return socket;
  }

  async function signedIn(token: string, path = '/ws'): Promise<TestSocket> {
    const socket = await open(`${path}?token=${encodeURIComponent(token)}`);
    await socket.next((message) => message.type === 'authenticated');
    return socket;
  }

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_CONTROL: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
      WS_AUTH_TIMEOUT_MS: '300',
      WS_MESSAGES_PER_10S: '20',
      WS_MAX_BUFFERED_BYTES: '65536',
    });
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  it('closes a socket that does not authenticate in time with 4401, and one with a bad token at once', async () => {
    const silent = await open();
    expect((await silent.closed).code).toBe(4401);
    const forged = await open('/ws?token=not-a-token');
    expect((await forged.closed).code).toBe(4401);
  });

  it('answers a subscribe sent at once after connecting with ?token=, without waiting to be told', async () => {
    for (let i = 0; i < 5; i++) {
      const socket = await open(`/ws?token=${encodeURIComponent(reader)}`);
      socket.send({ type: 'subscribe', topics: ['orders'] });
      const reply = await socket.next((message) => message.type === 'subscribed' || message.type === 'error');
      expect(reply).toMatchObject({ type: 'subscribed', data: { subscribed: ['orders'], refused: [] } });
      // The heartbeat timer may tick in between on a loaded machine; it is not an answer.
      expect(socket.messages.map((message) => message.type).filter((type) => type !== 'HEARTBEAT')).toEqual([
        'authenticated',
        'subscribed',
      ]);
    }
  });

  it('authenticates by a first message, answers bad messages with an error and stays open', async () => {
    const socket = await open('/ws/dashboard_7');
    socket.send({ type: 'subscribe', topics: ['orders'] });
    const early = await socket.next((message) => message.type === 'error');
    expect(early.data).toMatchObject({ code: 'AUTHENTICATION_ERROR' });
    socket.send({ type: 'auth', token: reader });
    const authenticated = await socket.next((message) => message.type === 'authenticated');
    expect(authenticated.data).toMatchObject({ role: Role.READ_ONLY, sessionId: 'dashboard_7' });

    for (const bad of [
      'not json',
      '[1,2]',
      JSON.stringify({ type: 'dance' }),
      JSON.stringify({ type: 'subscribe', topics: 'orders' }),
    ]) {
      const from = socket.messages.length;
      socket.send(bad);
      const reply = await socket.next((message) => message.type === 'error', 5000, from);
      expect(['INVALID_MESSAGE', 'VALIDATION_ERROR']).toContain(reply.data.code);
    }
    socket.send({ type: 'ping' });
    expect((await socket.next((message) => message.type === 'pong')).data.serverTime).toEqual(
      expect.any(String),
    );

    socket.send({
      type: 'subscribe',
      topics: ['orders', 'positions', 'metrics', 'nonsense', 'tickers:btc-usdt', 'tickers:NOPE-USDT'],
    });
    const subscribed = await socket.next((message) => message.type === 'subscribed');
    expect(subscribed.data).toEqual({
      subscribed: ['orders', 'positions', 'tickers:BTC/USDT'],
      refused: [
        { topic: 'metrics', reason: 'needs the ADMIN role' },
        { topic: 'nonsense', reason: 'unknown topic' },
        { topic: 'tickers:NOPE-USDT', reason: 'no market data for this symbol' },
      ],
    });
    const ticker = await socket.next((message) => message.type === 'TICKER', 5000);
    expect(ticker).toMatchObject({ topic: 'tickers:BTC/USDT', data: { symbol: 'BTC/USDT' } });
    expect(ticker.data.last).toEqual(expect.any(Number));

    const stats = await call<{ activeSessions: string[]; subscriptionStats: Record<string, number> }>(
      t,
      'GET',
      '/api/websocket/stats',
      { token: reader },
    );
    expect(stats.status).toBe(200);
    expect(stats.body.activeSessions).toContain('dashboard_7');
    expect(stats.body.subscriptionStats.orders).toBeGreaterThanOrEqual(1);
  });

  it('streams ORDER_PLACED then ORDER_FILLED to a READ_ONLY subscriber for a market order, which it may not place itself', async () => {
    const watcher = await signedIn(reader);
    watcher.send({ type: 'subscribe', topics: ['orders'] });
    await watcher.next((message) => message.type === 'subscribed');
    const refused = await call(t, 'POST', '/api/orders', {
      token: reader,
      body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 },
    });
    expect(refused.status).toBe(403);
    const placed = await call<{ id: string }>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 },
    });
    expect(placed.status).toBe(201);
    await watcher.next((message) => message.type === 'ORDER_FILLED' && message.data.id === placed.body.id);
    const ofOrder = watcher.messages.filter((message) => message.data.id === placed.body.id);
    expect(ofOrder.map((message) => message.type)).toEqual(['ORDER_PLACED', 'ORDER_FILLED']);
    expect(ofOrder[1]).toMatchObject({ topic: 'orders', data: { status: 'FILLED', qty: 0.001 } });
  });

  it('sends metrics to ADMINs and system_status to readers at each resource sample', async () => {
    const operator = await signedIn(admin);
    operator.send({ type: 'subscribe', topics: ['metrics', 'system_status'] });
    await operator.next((message) => message.type === 'subscribed');
    const viewer = await signedIn(reader);
    viewer.send({ type: 'subscribe', topics: ['system_status'] });
    await viewer.next((message) => message.type === 'subscribed');

    const sample = await t.app.get(SystemSampler).sampleNow();
    // The sampler's own timer may send another sample meanwhile: this one is told by its values.
    const metrics = await operator.next(
      (message) => message.type === 'metrics' && message.data.sampledAt === sample.sampledAt.toISOString(),
    );
    expect(metrics.topic).toBe('metrics');
    expect(metrics.data).toMatchObject({
      cpuPercent: sample.cpuPercent,
      memoryPercent: sample.memoryPercent,
      sampledAt: sample.sampledAt.toISOString(),
    });
    for (const socket of [operator, viewer]) {
      const status = await socket.next(
        (message) =>
          message.type === 'system_status' &&
          message.data.cpu_usage === sample.cpuPercent &&
          message.data.memory_usage === sample.memoryPercent,
      );
      expect(status.data).toEqual({
        trading_active: true,
        cpu_usage: sample.cpuPercent,
        memory_usage: sample.memoryPercent,
        open_positions: 0,
        event_loop_lag_ms: sample.eventLoopLagMs,
      });
    }
    expect(viewer.messages.some((message) => message.type === 'metrics')).toBe(false);
  });

  it("sends seed 003's trading_update beside POSITION_OPENED and POSITION_CLOSED on trading_updates", async () => {
    const socket = await signedIn(reader);
    socket.send({ type: 'subscribe', topics: ['trading_updates'] });
    await socket.next((message) => message.type === 'subscribed');
    const trade = {
      id: 'trade-update-1',
      symbol: 'ETH/USDT',
      positionSide: 'long',
      amount: 0.5,
      openAmount: 0.5,
      entryAmount: 0.5,
      entryPrice: 3000.5,
      exitPrice: null,
      currentPrice: 3001,
    };
    const bus = t.app.get(EventBus);
    bus.publish('position.opened', { position: trade as never });
    bus.publish('position.closed', { position: { ...trade, openAmount: 0, exitPrice: 3100.25 } as never });
    const opened = await socket.next((message) => message.type === 'trading_update');
    expect(opened.data).toEqual({
      event: 'position_opened',
      tradeId: 'trade-update-1',
      symbol: 'ETH/USDT',
      side: 'long',
      size: 0.5,
      price: 3000.5,
    });
    const closed = await socket.next(
      (message) => message.type === 'trading_update' && message.data.event === 'position_closed',
    );
    expect(closed.data).toMatchObject({ size: 0.5, price: 3100.25 });
    expect(
      socket.messages
        .map((message) => message.type)
        .filter((type) => type.startsWith('POSITION_') || type === 'trading_update'),
    ).toEqual(['POSITION_OPENED', 'trading_update', 'POSITION_CLOSED', 'trading_update']);
  });

  it('answers RATE_LIMITED past the per-socket message rate', async () => {
    const socket = await signedIn(reader);
    for (let i = 0; i < 25; i++) socket.send({ type: 'ping' });
    const limited = await socket.next(
      (message) => message.type === 'error' && message.data.code === 'RATE_LIMITED',
    );
    expect(limited.data.message).toMatch(/20 messages per 10 s/);
    expect(socket.messages.filter((message) => message.type === 'pong').length).toBeLessThanOrEqual(20);
  });

  it('drops a client that stops reading (1013) while another keeps receiving', async () => {
    const slow = await signedIn(reader);
    const fast = await signedIn(reader);
    for (const socket of [slow, fast]) {
      socket.send({ type: 'subscribe', topics: ['trading_updates'] });
      await socket.next((message) => message.type === 'subscribed');
    }
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const bus = t.app.get(EventBus);
    const padding = 'x'.repeat(64 * 1024);
    let sent = 0;
    const before = await call<{ slowClientsDisconnected: number }>(t, 'GET', '/api/websocket/stats', {
      token: reader,
    });
    // Enough data to fill the kernel's socket buffers, then the server's limit; bounded in count.
    for (let round = 0; round < 400; round++) {
      bus.publish('order.updated', { order: { id: `bulk-${round}`, padding } as never, newFills: [] });
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
      if (round % 20 === 19) {
        const now = await call<{ slowClientsDisconnected: number }>(t, 'GET', '/api/websocket/stats', {
          token: reader,
        });
        if (now.body.slowClientsDisconnected > before.body.slowClientsDisconnected) break;
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    }
    const after = await call<{ slowClientsDisconnected: number }>(t, 'GET', '/api/websocket/stats', {
      token: reader,
    });
    expect(after.body.slowClientsDisconnected).toBe(before.body.slowClientsDisconnected + 1);
    await fast.next((message) => message.data.id === `bulk-${sent - 1}`, 10_000);
    expect(fast.socket.readyState).toBe(1);
  });
});

/** Open WebSocket connections lose what their credential lost, when it is lost. */
describe('WebSocket access is checked again', () => {
  const clock = new ManualClock(Date.now());
  let t: TestApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      {
        RATE_LIMIT_ANONYMOUS: '100000',
        RATE_LIMIT_READ_ONLY: '100000',
        RATE_LIMIT_CONTROL: '100000',
        RATE_LIMIT_ADMIN: '100000',
        RATE_LIMIT_KEY_CREATION: '100000',
        WS_HEARTBEAT_MS: '300',
      },
      { clock },
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  const admin = async () => (await loginAdmin(t)).accessToken;

  /** A socket signed in with the credential and subscribed to the topics (all granted). */
  async function subscribed(credential: string, topics: string[]): Promise<TestSocket> {
    const socket = await TestSocket.open(`${wsUrl(t.baseUrl)}?token=${encodeURIComponent(credential)}`);
    sockets.push(socket);
    socket.send({ type: 'subscribe', topics });
    const reply = await socket.next((message) => message.type === 'subscribed');
    expect(reply.data).toEqual({ subscribed: topics, refused: [] });
    return socket;
  }

  async function userSocket(role: Role, topics = ['orders', 'engine']): Promise<[TestUser, TestSocket]> {
    const user = await createUser(t, await admin(), role);
    return [user, await subscribed(user.token, topics)];
  }

  it('sends every authenticated client a HEARTBEAT on system_status with the server time and its round trip', async () => {
    const [, socket] = await userSocket(Role.READ_ONLY, ['orders']);
    const first = await socket.next((message) => message.type === 'HEARTBEAT', 5_000);
    expect(first.topic).toBe('system_status');
    expect(Number.isFinite(Date.parse(String(first.data.serverTime)))).toBe(true);
    // The heartbeat pings; the next one reports the measured round trip.
    const second = await socket.next(
      (message) => message.type === 'HEARTBEAT',
      5_000,
      socket.messages.indexOf(first) + 1,
    );
    expect(second.data.latencyMs).toEqual(expect.any(Number));
    expect(second.data.latencyMs as number).toBeGreaterThanOrEqual(0);
  });

  it('closes a disabled user with 4401', async () => {
    const [user, socket] = await userSocket(Role.CONTROL);
    const disabled = await call(t, 'PATCH', `/api/users/${user.id}`, {
      token: await admin(),
      body: { enabled: false },
    });
    expect(disabled.status).toBe(200);
    expect(await socket.closed).toEqual({ code: 4401, reason: 'access ended' });
  });

  it('closes a deleted user with 4401', async () => {
    const [user, socket] = await userSocket(Role.READ_ONLY);
    expect((await call(t, 'DELETE', `/api/users/${user.id}`, { token: await admin() })).status).toBe(200);
    expect((await socket.closed).code).toBe(4401);
  });

  it('closes a signed-out session with 4401', async () => {
    const [user, socket] = await userSocket(Role.READ_ONLY);
    expect((await call(t, 'POST', '/api/auth/logout', { token: user.token, body: {} })).status).toBe(200);
    expect((await socket.closed).code).toBe(4401);
  });

  it('drops metrics from an ADMIN demoted to READ_ONLY and closes it with 4403', async () => {
    const [user, socket] = await userSocket(Role.ADMIN, ['metrics', 'orders']);
    const demoted = await call(t, 'PATCH', `/api/users/${user.id}`, {
      token: await admin(),
      body: { role: 'READ_ONLY' },
    });
    expect(demoted.status).toBe(200);
    const dropped = await socket.next((message) => message.type === 'unsubscribed');
    expect(dropped.data).toEqual({ topics: ['metrics'], reason: 'role lowered' });
    expect(await socket.closed).toEqual({ code: 4403, reason: 'role lowered to READ_ONLY' });
  });

  it('closes a promoted user with 4401 (its token no longer holds its role), not as a lowered role', async () => {
    const [user, socket] = await userSocket(Role.READ_ONLY);
    const promoted = await call(t, 'PATCH', `/api/users/${user.id}`, {
      token: await admin(),
      body: { role: 'CONTROL' },
    });
    expect(promoted.status).toBe(200);
    expect(await socket.closed).toEqual({ code: 4401, reason: 'access ended' });
  });

  it('closes a key whose creator was demoted with 4403, after dropping the topics it lost', async () => {
    const creator = await createUser(t, await admin(), Role.SUPER_ADMIN);
    const key = await createKey(t, creator.token, { name: 'ws-demoted', permissions: ['ADMIN'] });
    const socket = await subscribed(key.apiKey, ['metrics', 'orders']);
    const demoted = await call(t, 'PATCH', `/api/users/${creator.id}`, {
      token: await admin(),
      body: { role: 'CONTROL' },
    });
    expect(demoted.status).toBe(200);
    const dropped = await socket.next((message) => message.type === 'unsubscribed');
    expect(dropped.data).toEqual({ topics: ['metrics'], reason: 'role lowered' });
    expect((await socket.closed).code).toBe(4403);
  });

  it.each([
    ['revoked', (keyId: string, token: string) => call(t, 'DELETE', `/api/keys/${keyId}`, { token })],
    [
      'disabled',
      (keyId: string, token: string) =>
        call(t, 'PATCH', `/api/keys/${keyId}`, { token, body: { enabled: false } }),
    ],
    ['rotated', (keyId: string, token: string) => call(t, 'POST', `/api/keys/${keyId}/rotate`, { token })],
  ])('closes a %s key with 4401', async (_name, change) => {
    const token = await admin();
    const key = await createKey(t, token, { name: 'ws-key', permissions: ['READ_ONLY'] });
    const socket = await subscribed(key.apiKey, ['orders']);
    expect((await change(key.keyId, token)).status).toBeLessThan(300);
    expect((await socket.closed).code).toBe(4401);
  });

  it('closes an expired key and an expired access token with 4401', async () => {
    const token = await admin();
    const key = await createKey(t, token, {
      name: 'ws-expiring',
      permissions: ['READ_ONLY'],
      expiresDays: 1,
    });
    const keySocket = await subscribed(key.apiKey, ['orders']);
    const [, userSocketOpen] = await userSocket(Role.READ_ONLY);
    const lifetime = t.config.auth.accessTokenTtlSeconds * 1000;
    clock.ms += lifetime + 1000;
    expect((await userSocketOpen.closed).code).toBe(4401);
    expect(keySocket.socket.readyState).toBe(keySocket.socket.OPEN);
    clock.ms += 86_400_000;
    expect((await keySocket.closed).code).toBe(4401);
  });
});
