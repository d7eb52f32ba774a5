import { Role } from '../src/platform/access/role';
import { call, createKey, createUser, loginAdmin, TestUser } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

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
