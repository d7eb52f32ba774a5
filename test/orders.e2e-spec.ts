import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';
import { PaperExchangeService } from '../src/exchange/paper/paper-exchange.service';
import { OrdersService } from '../src/trading/orders.service';

interface Order {
  id: string;
  clientOrderId: string;
  exchangeOrderId: string | null;
  venue: string;
  exchange: string;
  symbol: string;
  side: string;
  type: string;
  qty: number;
  price: number | null;
  status: string;
  filled: number;
  remaining: number;
  averagePrice: number | null;
  cost: number;
  fees: number;
  feeCurrency: string | null;
  statusReason: string | null;
}

describe('orders (POST/GET/DELETE /api/orders)', () => {
  const fake = new FakeBinance('orders-binance-key-0001', 'orders-binance-secret-0123456789');
  let t: TestApp;
  let admin: string;
  let trader: string;
  let reader: string;

  const countOrders = async () =>
    Number(
      (await t.app.get(DataSource).query<Array<{ n: string }>>('SELECT count(*) AS n FROM orders'))[0].n,
    );

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(
      { RATE_LIMIT_CONTROL: '100000', RATE_LIMIT_READ_ONLY: '100000', RATE_LIMIT_ADMIN: '100000' },
      {
        exchange: {
          redirectApiTo: { binance: fake.baseUrl },
          rateLimitMs: 1,
          timeoutMs: 1000,
          retry: { attempts: 2, baseDelayMs: 1 },
        },
      },
    );
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
  });

  it('fills a paper market buy at once, with its fills and fees stored, and shows it', async () => {
    const placed = await call<Order>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'BTC-USDT', side: 'buy', type: 'market', amount: 0.01 },
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      venue: 'paper',
      exchange: 'paper',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      qty: 0.01,
      status: 'FILLED',
      filled: 0.01,
      remaining: 0,
      feeCurrency: 'USDT',
    });
    expect(placed.body.clientOrderId).toMatch(/^tp-[0-9a-f]{32}$/);
    expect(placed.body.exchangeOrderId).toBeTruthy();
    expect(placed.body.fees).toBeGreaterThan(0);
    expect(placed.body.averagePrice).toBeCloseTo(placed.body.cost / 0.01, 6);
    const fills = await t.app
      .get(DataSource)
      .query<Array<{ amount: string; fee: string; cost: string }>>(
        'SELECT amount, fee, cost FROM fills WHERE order_id = $1',
        [placed.body.id],
      );
    expect(fills.length).toBeGreaterThan(0);
    const sum = (field: 'amount' | 'fee' | 'cost') =>
      fills.reduce((total, fill) => total.plus(fill[field]), new Decimal(0)).toNumber();
    expect(sum('amount')).toBe(0.01);
    expect(sum('fee')).toBe(placed.body.fees);
    expect(sum('cost')).toBe(placed.body.cost);

    const shown = await call<Order & { fills: unknown[] }>(t, 'GET', `/api/orders/${placed.body.id}`, {
      token: reader,
    });
    expect(shown.status).toBe(200);
    const { fills: shownFills, ...order } = shown.body;
    expect(order).toEqual(placed.body);
    expect(shownFills).toHaveLength(fills.length);
  });

  it('looking up an open order that did not change writes nothing (reconciliation passes do it often)', async () => {
    const placed = await call<Order>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'ETHUSDT', side: 'buy', type: 'limit', amount: 0.5, price: 101 },
    });
    expect(placed.body.status).toBe('OPEN');
    const updatedAt = async () =>
      (
        await t.app
          .get(DataSource)
          .query<Array<{ at: string }>>('SELECT updated_at::text AS at FROM orders WHERE id = $1', [
            placed.body.id,
          ])
      )[0].at;
    const before = await updatedAt();
    const looked = await t.app.get(OrdersService).reconcile(placed.body.id);
    expect(looked.status).toBe('OPEN');
    expect(await updatedAt()).toBe(before);
    await call(t, 'DELETE', `/api/orders/${placed.body.id}`, { token: trader });
  });

  it('rests a limit order, cancels it, and refuses to cancel it twice', async () => {
    const placed = await call<Order>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'ETHUSDT', side: 'buy', type: 'limit', amount: 0.5, price: 100 },
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'OPEN', price: 100, filled: 0, remaining: 0.5 });
    const canceled = await call<{ success: boolean; order: Order }>(
      t,
      'DELETE',
      `/api/orders/${placed.body.id}`,
      {
        token: trader,
      },
    );
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ success: true, order: { id: placed.body.id, status: 'CANCELED' } });
    const again = await call(t, 'DELETE', `/api/orders/${placed.body.id}`, { token: trader });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'CONFLICT' });

    // Each change is in the audit trail, on the order, with its outcome.
    const audit = await call<{ items: Array<{ action: string; targetId: string; result: string }> }>(
      t,
      'GET',
      `/api/audit?targetId=${placed.body.id}&limit=10`,
      { token: admin },
    );
    expect(audit.status).toBe(200);
    expect(
      audit.body.items.map(({ action, targetId, result }) => ({ action, targetId, result })).reverse(),
    ).toEqual([
      { action: 'order.place', targetId: placed.body.id, result: 'success' },
      { action: 'order.cancel', targetId: placed.body.id, result: 'success' },
      { action: 'order.cancel', targetId: placed.body.id, result: 'failure' },
    ]);
  });

  it('refuses bad orders before writing or sending anything, each with its code', async () => {
    const before = await countOrders();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 50 }, 400, 'INSUFFICIENT_BALANCE'],
      [{ symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 5 }, 400, 'INSUFFICIENT_BALANCE'],
      [{ symbol: 'NOPE/USDT', side: 'buy', type: 'market', amount: 1 }, 400, 'INVALID_SYMBOL'],
      [{ symbol: '%%%', side: 'buy', type: 'market', amount: 1 }, 400, 'INVALID_SYMBOL'],
      [{ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01 }, 400, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, price: 5 }, 400, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'buy', type: 'stop', amount: 0.01 }, 400, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.0000001 }, 400, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: -1 }, 400, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'hold', type: 'market', amount: 1 }, 400, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '1e400' }, 400, 'VALIDATION_ERROR'],
      [
        { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, accountId: 'x' },
        400,
        'VALIDATION_ERROR',
      ],
    ];
    for (const [body, status, code] of cases) {
      const response = await call(t, 'POST', '/api/orders', { token: trader, body });
      expect({ body, status: response.status, code: response.body.error }).toEqual({ body, status, code });
    }
    expect(await countOrders()).toBe(before);
    const readOnly = await call(t, 'POST', '/api/orders', {
      token: reader,
      body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 },
    });
    expect(readOnly.status).toBe(403);
    expect(await countOrders()).toBe(before);
  });

  it('creates one order for twenty concurrent requests with one Idempotency-Key, and 409s another body', async () => {
    const before = await countOrders();
    const body = { symbol: 'ETH/USDT', side: 'buy', type: 'market', amount: 0.05 };
    const headers = { 'idempotency-key': `idem-${Date.now()}` };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        call<Order>(t, 'POST', '/api/orders', { token: trader, body, headers }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(
      responses.filter((response) => response.headers.get('idempotent-replayed') === 'true'),
    ).toHaveLength(19);
    expect(await countOrders()).toBe(before + 1);

    const other = await call(t, 'POST', '/api/orders', {
      token: trader,
      body: { ...body, amount: 0.06 },
      headers,
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: 'CONFLICT' });
    // The same key from another principal is another key.
    const otherTrader = (await createUser(t, admin, Role.CONTROL)).token;
    const theirs = await call<Order>(t, 'POST', '/api/orders', { token: otherTrader, body, headers });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(responses[0].body.id);
    expect(await countOrders()).toBe(before + 2);
    // A refused first request is replayed as the same refusal.
    const refusedHeaders = { 'idempotency-key': `idem-refused-${Date.now()}` };
    const tooBig = { symbol: 'ETH/USDT', side: 'buy', type: 'market', amount: 500 };
    const first = await call(t, 'POST', '/api/orders', {
      token: trader,
      body: tooBig,
      headers: refusedHeaders,
    });
    const second = await call(t, 'POST', '/api/orders', {
      token: trader,
      body: tooBig,
      headers: refusedHeaders,
    });
    expect([first.status, first.body.error]).toEqual([400, 'INSUFFICIENT_BALANCE']);
    expect([second.status, second.body.error, second.body.message]).toEqual([
      400,
      'INSUFFICIENT_BALANCE',
      first.body.message,
    ]);
  });

  it('honours Idempotency-Key on the other creating routes too (users, exchange accounts)', async () => {
    const headers = { 'idempotency-key': `create-user-${Date.now()}` };
    const body = { username: `idem-user-${Date.now()}`, password: 'idem-user-password-1', role: 'READ_ONLY' };
    const first = await call<{ id: string }>(t, 'POST', '/api/users', { token: admin, body, headers });
    const second = await call<{ id: string }>(t, 'POST', '/api/users', { token: admin, body, headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const account = {
      exchangeId: 'binance',
      label: `idem-${Date.now()}`,
      apiKey: 'idem-key-0001',
      secret: 'idem-secret-000000000',
    };
    const accountHeaders = { 'idempotency-key': `create-account-${Date.now()}` };
    const a = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: account,
      headers: accountHeaders,
    });
    const b = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: account,
      headers: accountHeaders,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
    const stored = await t.app
      .get(DataSource)
      .query<Array<{ response_body: unknown }>>('SELECT response_body FROM idempotency_keys WHERE key = $1', [
        accountHeaders['idempotency-key'],
      ]);
    expect(JSON.stringify(stored)).not.toContain('idem-secret-000000000');
  });

  it('lists orders newest first with filters and paging', async () => {
    const all = await call<{ items: Order[]; total: number }>(t, 'GET', '/api/orders?limit=500', {
      token: reader,
    });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(all.body.items.length);
    const filled = await call<{ items: Order[]; total: number }>(
      t,
      'GET',
      '/api/orders?status=FILLED&symbol=eth_usdt',
      {
        token: reader,
      },
    );
    expect(filled.body.items.length).toBeGreaterThan(0);
    for (const order of filled.body.items)
      expect(order).toMatchObject({ status: 'FILLED', symbol: 'ETH/USDT' });
    const page = await call<{ items: Order[]; total: number; limit: number; offset: number }>(
      t,
      'GET',
      '/api/orders?limit=1&offset=1',
      { token: reader },
    );
    expect(page.body).toMatchObject({ limit: 1, offset: 1, total: all.body.total });
    expect(page.body.items[0].id).toBe(all.body.items[1].id);
    const bad = await call(t, 'GET', '/api/orders?status=DONE', { token: reader });
    expect(bad.status).toBe(400);
  });

  it('on a live exchange account: finds an order whose answer was lost, with exactly one on the exchange', async () => {
    const account = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: {
        exchangeId: 'binance',
        label: 'orders binance',
        apiKey: fake.apiKey,
        secret: 'orders-binance-secret-0123456789',
      },
    });
    expect(account.status).toBe(201);
    fake.faults.push({ method: 'POST', path: '/api/v3/order', kind: 'lostResponse' });
    const placed = await call<Order>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, accountId: account.body.id },
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      venue: 'exchange',
      exchange: 'binance',
      status: 'FILLED',
      filled: 0.01,
    });
    expect(fake.ordersWithClientId(placed.body.clientOrderId)).toHaveLength(1);
    expect(fake.seen('POST', '/api/v3/order')).toBe(1);

    // A refusal by the exchange rejects the order and says why.
    const refused = await call(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'ETH/USDT', side: 'sell', type: 'market', amount: 1, accountId: account.body.id },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('INSUFFICIENT_BALANCE');
  });

  it('cancels a resting limit order on a live exchange account, and says so on the orders topic', async () => {
    const account = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: {
        exchangeId: 'binance',
        label: 'orders binance cancel',
        apiKey: fake.apiKey,
        secret: 'orders-binance-secret-0123456789',
      },
    });
    expect(account.status).toBe(201);
    const socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    try {
      socket.send({ type: 'subscribe', topics: ['orders'] });
      await socket.next((message) => message.type === 'subscribed');
      const placed = await call<Order>(t, 'POST', '/api/orders', {
        token: trader,
        body: {
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          amount: 0.001,
          price: 30_000,
          accountId: account.body.id,
        },
      });
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({ venue: 'exchange', status: 'OPEN' });
      expect(fake.ordersWithClientId(placed.body.clientOrderId)).toMatchObject([{ status: 'open' }]);
      const canceled = await call<{ order: Order }>(t, 'DELETE', `/api/orders/${placed.body.id}`, {
        token: trader,
      });
      expect(canceled.status).toBe(200);
      expect(fake.ordersWithClientId(placed.body.clientOrderId)).toMatchObject([{ status: 'canceled' }]);
      const event = await socket.next(
        (message) => message.type === 'ORDER_CANCELLED' && message.data.id === placed.body.id,
      );
      expect(event).toMatchObject({ topic: 'orders', data: { status: 'CANCELED', exchange: 'binance' } });
    } finally {
      socket.close();
    }
  });
});

interface OrderView {
  id: string;
  status: string;
  statusReason: string | null;
  exchangeOrderId: string | null;
}

/** Stop orders on the paper account, through the orders API. */
describe('stop orders hold what they would sell or spend', () => {
  let t: TestApp;
  let trader: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_CONTROL: '100000', RATE_LIMIT_READ_ONLY: '100000' });
    const admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const place = (body: Record<string, unknown>) =>
    call<OrderView & { error?: string; message?: string }>(t, 'POST', '/api/orders', { token: trader, body });
  const freeOf = async (currency: string) => {
    const balances = await call<{ items: Array<{ currency: string; free: number }> }>(
      t,
      'GET',
      '/api/balances',
      { token: trader },
    );
    return balances.body.items.find((row) => row.currency === currency)?.free ?? 0;
  };

  it('refuses a second stop sell beyond what the account holds, at placement', async () => {
    const bought = await place({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.008 });
    expect(bought.body.status).toBe('FILLED');
    // Far below the market: neither triggers during the test.
    const stop = { symbol: 'BTC/USDT', side: 'sell', type: 'stop', amount: 0.006, stopPrice: 1000 };
    const first = await place(stop);
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('OPEN');
    expect(await freeOf('BTC')).toBeCloseTo(0.002, 8);
    const second = await place(stop);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('INSUFFICIENT_BALANCE');
    // Canceling the first frees its coins again.
    expect((await call(t, 'DELETE', `/api/orders/${first.body.id}`, { token: trader })).status).toBe(200);
    expect(await freeOf('BTC')).toBeCloseTo(0.008, 8);
  });

  it('places concurrent orders beyond the balance: each is filled and booked, or refused and not booked, and the books agree', async () => {
    // An account of its own, so that what this test spends leaves the others' balance alone.
    const paperAccount = `race-${Date.now()}`;
    const paper = await t.app.get(PaperExchangeService).account(paperAccount);
    const free = async (currency: string) =>
      new Decimal((await paper.balances()).find((balance) => balance.currency === currency)?.free ?? 0);
    const usdt = async () => (await free('USDT')).toNumber();
    const usdtBefore = await usdt();
    const price = (await paper.ticker('ETH/USDT')).last;
    // Each order costs a quarter of what is free: ten at once, so at most four can be paid for.
    const amount = ((usdtBefore / 4 / price) * 0.98).toFixed(4);
    const ids = Array.from({ length: 10 }, (_, i) => `${paperAccount}-${i}`);
    const orders = t.app.get(OrdersService);
    const answers = await Promise.allSettled(
      ids.map((clientOrderId) =>
        orders.place(
          { symbol: 'ETH/USDT', side: 'buy', type: 'market', amount, clientOrderId, paperAccount },
          { createdBy: null },
        ),
      ),
    );
    const filled = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
    const refused = answers.flatMap((answer) =>
      answer.status === 'rejected' ? [answer.reason as { status?: number; code?: string }] : [],
    );
    expect(filled.map((order) => order.status)).toEqual(filled.map(() => 'FILLED'));
    expect(refused.map((error) => [error.status, error.code])).toEqual(
      refused.map(() => [400, 'INSUFFICIENT_BALANCE']),
    );
    expect(filled.length).toBeGreaterThanOrEqual(3);
    expect(filled.length).toBeLessThanOrEqual(4);

    const db = t.app.get(DataSource);
    const clientIds = ids.map((id) => `tp-${id}`);
    const stored = await db.query<
      Array<{ client_order_id: string; status: string; cost: string; fee: string }>
    >('SELECT client_order_id, status, cost, fee FROM orders WHERE client_order_id = ANY($1)', [clientIds]);
    const booked = await db.query<Array<{ client_order_id: string; status: string }>>(
      'SELECT client_order_id, status FROM paper_orders WHERE client_order_id = ANY($1)',
      [clientIds],
    );
    const storedFilled = stored.filter((order) => order.status === 'FILLED');
    // Filled: recorded and booked. Refused: booked nowhere, and recorded (if at all) as rejected.
    expect(storedFilled.length).toBe(filled.length);
    expect(stored.filter((order) => !['FILLED', 'REJECTED'].includes(order.status))).toEqual([]);
    expect(booked.map((order) => order.status)).toEqual(filled.map(() => 'closed'));
    expect(new Set(booked.map((order) => order.client_order_id))).toEqual(
      new Set(storedFilled.map((order) => order.client_order_id)),
    );
    const spent = storedFilled.reduce((sum, order) => sum.plus(order.cost).plus(order.fee), new Decimal(0));
    expect(new Decimal(usdtBefore).minus(await usdt()).toNumber()).toBeCloseTo(spent.toNumber(), 9);
    // The coin bought by every filled order, none lost to another's write (the first buy creates its row).
    expect((await free('ETH')).toString()).toBe(new Decimal(amount).times(filled.length).toString());
  });

  it('rejects a triggered stop that cannot fill, says why, and answers a cancel without internal ids', async () => {
    // A buy stop holds 0.5 BTC at its stop price (2,500 USDT) but triggers at once and fills at the
    // market, far above what the account has: the exchange refuses it.
    const placed = await place({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'stop',
      amount: 0.5,
      stopPrice: 5000,
    });
    expect(placed.status).toBe(201);
    const paperOrderId = placed.body.exchangeOrderId!;
    await t.app.get(PaperExchangeService).matchAll();
    let order = (await call<OrderView>(t, 'GET', `/api/orders/${placed.body.id}`, { token: trader })).body;
    for (let i = 0; i < 50 && order.status !== 'REJECTED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      order = (await call<OrderView>(t, 'GET', `/api/orders/${placed.body.id}`, { token: trader })).body;
    }
    expect(order.status).toBe('REJECTED');
    expect(order.statusReason).toMatch(
      /^rejected by the exchange: stop triggered: needs [\d.]+ USDT, [\d.]+ free$/,
    );

    const cancel = await call<{ error: string; message: string }>(
      t,
      'DELETE',
      `/api/orders/${placed.body.id}`,
      {
        token: trader,
      },
    );
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toBe(`Order ${placed.body.id} is already REJECTED`);
    expect(JSON.stringify(cancel.body)).not.toContain(paperOrderId);
  });
});
