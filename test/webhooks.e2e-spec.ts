import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Role } from '../src/platform/access/role';
import { EventBus } from '../src/platform/events/event-bus';
import { verifyWebhookSignature } from '../src/notifications/webhook-signature';
import '../src/engine/engine.events';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  answered: number;
}
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastResponseCode: number | null;
  redeliveryOf: string | null;
}
interface Webhook {
  id: string;
  secret?: string;
  events: string[];
  enabled: boolean;
}

/** A real HTTP receiver on loopback: answers each request to a path with the next status planned for it (200 once they run out). */
class Receiver {
  readonly received: Received[] = [];
  readonly planned = new Map<string, number[]>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const answered = receiver.planned.get(path)?.shift() ?? 200;
        receiver.received.push({
          path,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
          answered,
        });
        response.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('webhooks (/api/webhooks)', () => {
  let t: TestApp;
  let admin: string;
  let receiver: Receiver;
  /** Kept across the restart test's two app lives. */
  let database: TestDatabase;
  const env = {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    // A second or so before a retry: time enough to close an app between two attempts.
    WEBHOOK_RETRY_BASE_MS: '1000',
    RATE_LIMIT_ADMIN: '100000',
  };

  beforeAll(async () => {
    receiver = await Receiver.start();
    database = await createTestDatabase();
    t = await startTestApp(env, { database });
    admin = (await loginAdmin(t)).accessToken;
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    await receiver?.close();
  });

  const create = (body: object) => call<Webhook>(t, 'POST', '/api/webhooks', { token: admin, body });
  const deliveries = (id: string) =>
    call<{ items: Delivery[]; total: number }>(t, 'GET', `/api/webhooks/${id}/deliveries`, { token: admin });
  const settled = (id: string, count = 1) =>
    eventually(
      async () => (await deliveries(id)).body.items,
      (items) => items.length >= count && items.every((item) => item.status !== 'pending'),
    );

  it('manages webhooks: ADMIN only, the secret shown once, bad events and URLs refused', async () => {
    const trader = (await createUser(t, admin, Role.CONTROL)).token;
    const body = { name: 'ops', url: receiver.url('/a'), events: ['alert.raised'] };
    expect((await call(t, 'POST', '/api/webhooks', { token: trader, body })).status).toBe(403);
    expect((await create({ ...body, events: ['order.exploded'] })).status).toBe(400);
    expect((await create({ ...body, url: 'ftp://example.com/hook' })).status).toBe(400);
    const created = await create(body);
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const read = await call<Webhook>(t, 'GET', `/api/webhooks/${created.body.id}`, { token: admin });
    expect(read.body).toMatchObject({ id: created.body.id, events: ['alert.raised'], enabled: true });
    expect(read.body.secret).toBeUndefined();
    const patched = await call<Webhook>(t, 'PATCH', `/api/webhooks/${created.body.id}`, {
      token: admin,
      body: { enabled: false, events: ['alert.raised', 'bot.state'] },
    });
    expect(patched.body).toMatchObject({ enabled: false, events: ['alert.raised', 'bot.state'] });
    expect((await call(t, 'DELETE', `/api/webhooks/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await call(t, 'GET', `/api/webhooks/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it('delivers an alert signed, with its event id, type and time, to the webhooks subscribed to it', async () => {
    const hook = await create({ name: 'alerts', url: receiver.url('/alerts'), events: ['alert.raised'] });
    const other = await create({ name: 'fills only', url: receiver.url('/fills'), events: ['order.filled'] });
    const before = receiver.received.length;
    t.app.get(EventBus).publish('alert.raised', {
      level: 'critical',
      source: 'engine',
      code: 'BOT_ERROR',
      message: 'exchange unreachable',
      botId: '3b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11',
      at: new Date().toISOString(),
    });
    const [delivery] = await settled(hook.body.id);
    expect(delivery).toMatchObject({
      eventType: 'alert.raised',
      status: 'succeeded',
      attempts: 1,
      lastResponseCode: 200,
    });
    const got = receiver.received
      .slice(before)
      .filter((one) => one.headers['x-tradeplane-delivery'] === delivery.id);
    expect(got).toHaveLength(1);
    const [request] = got;
    expect(request.headers['x-tradeplane-event']).toBe('alert.raised');
    const signature = request.headers['x-tradeplane-signature'] as string;
    expect(
      verifyWebhookSignature(hook.body.secret!, signature, request.body, Math.floor(Date.now() / 1000)),
    ).toBe(true);
    expect(
      verifyWebhookSignature('whsec_wrong', signature, request.body, Math.floor(Date.now() / 1000)),
    ).toBe(false);
    const event = JSON.parse(request.body) as {
      id: string;
      type: string;
      time: string;
      data: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      id: delivery.eventId,
      type: 'alert.raised',
      data: { type: 'BOT_ERROR', severity: 'critical', source: 'bot:3b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11' },
    });
    expect(Date.parse(event.time)).toBeGreaterThan(Date.now() - 60_000);
    expect((await deliveries(other.body.id)).body.total).toBe(0);
  });

  it('retries 500, 500 then records one success with 3 attempts; a 400 fails at once and is redelivered by hand', async () => {
    const hook = await create({ name: 'flaky', url: receiver.url('/flaky'), events: ['alert.raised'] });
    receiver.planned.set('/flaky', [500, 500]);
    const test = await call<Delivery>(t, 'POST', `/api/webhooks/${hook.body.id}/test`, { token: admin });
    expect(test.status).toBe(202);
    const [retried] = await settled(hook.body.id);
    expect(retried).toMatchObject({
      id: test.body.id,
      status: 'succeeded',
      attempts: 3,
      lastResponseCode: 200,
    });
    const sent = receiver.received.filter((one) => one.headers['x-tradeplane-delivery'] === test.body.id);
    expect(sent.map((one) => one.answered)).toEqual([500, 500, 200]);
    expect(new Set(sent.map((one) => (JSON.parse(one.body) as { id: string }).id))).toEqual(
      new Set([test.body.eventId]),
    );

    receiver.planned.set('/flaky', [400]);
    const refused = await call<Delivery>(t, 'POST', `/api/webhooks/${hook.body.id}/test`, { token: admin });
    const failed = await eventually(
      async () => (await deliveries(hook.body.id)).body.items.find((item) => item.id === refused.body.id)!,
      (item) => item.status !== 'pending',
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastResponseCode: 400 });
    const again = await call<Delivery>(t, 'POST', `/api/webhooks/deliveries/${refused.body.id}/redeliver`, {
      token: admin,
    });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({
      eventId: refused.body.eventId,
      redeliveryOf: refused.body.id,
      status: 'pending',
    });
    const redelivered = await eventually(
      async () => (await deliveries(hook.body.id)).body.items.find((item) => item.id === again.body.id)!,
      (item) => item.status !== 'pending',
    );
    expect(redelivered).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(
      (
        await call(t, 'POST', '/api/webhooks/deliveries/8c1e6c1e-0000-4000-8000-000000000000/redeliver', {
          token: admin,
        })
      ).status,
    ).toBe(404);
  });

  it('tells of a filled order and an opened trade, written with them, in Slack format when asked', async () => {
    const hook = await create({
      name: 'trades',
      url: receiver.url('/trades'),
      events: ['order.filled', 'trade.opened'],
      format: 'slack',
    });
    const trader = (await createUser(t, admin, Role.CONTROL)).token;
    const opened = await call<{ id: string }>(t, 'POST', '/api/trades', {
      token: trader,
      body: { symbol: 'BTC/USDT', side: 'buy', amount: 0.01 },
    });
    expect(opened.status).toBe(201);
    const items = await settled(hook.body.id, 2);
    expect(items.map((item) => item.eventType).sort()).toEqual(['order.filled', 'trade.opened']);
    const bodies = receiver.received
      .filter((one) => items.some((item) => item.id === one.headers['x-tradeplane-delivery']))
      .map((one) => JSON.parse(one.body) as { text: string; event: { data: { position?: { id: string } } } });
    expect(bodies.map((body) => body.text).sort()).toEqual([
      expect.stringMatching(/^order\.filled: BTC\/USDT buy/),
      expect.stringMatching(/^trade\.opened: BTC\/USDT/),
    ]);
    expect(bodies.find((body) => body.event.data.position)?.event.data.position?.id).toBe(opened.body.id);
  });

  it('loses nothing across a restart between attempts', async () => {
    const hook = await create({ name: 'restart', url: receiver.url('/restart'), events: ['alert.raised'] });
    receiver.planned.set('/restart', [503]);
    const test = await call<Delivery>(t, 'POST', `/api/webhooks/${hook.body.id}/test`, { token: admin });
    await eventually(
      async () =>
        receiver.received.filter((one) => one.headers['x-tradeplane-delivery'] === test.body.id).length,
      (count) => count >= 1,
    );
    await t.close();
    const closedAt = Date.now();
    t = await startTestApp(env, { database });
    admin = (await loginAdmin(t)).accessToken;
    const [delivery] = await settled(hook.body.id);
    expect(delivery).toMatchObject({
      id: test.body.id,
      status: 'succeeded',
      attempts: 2,
      lastResponseCode: 200,
    });
    // The second attempt was the restarted app's.
    expect(Date.parse((delivery as Delivery & { lastAttemptAt: string }).lastAttemptAt)).toBeGreaterThan(
      closedAt,
    );
    const sent = receiver.received.filter((one) => one.headers['x-tradeplane-delivery'] === test.body.id);
    expect(sent.map((one) => one.answered)).toEqual([503, 200]);
  });
});
