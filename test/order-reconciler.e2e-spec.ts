import { Role } from '../src/platform/access/role';
import { OrderReconciler } from '../src/trading/order-reconciler.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

interface Order {
  id: string;
  clientOrderId: string;
  status: string;
  filled: number;
  side: string;
  type: string;
  qty: number;
  price: number | null;
}

/**
 * The periodic reconciliation pass against a live exchange (a fake Binance reached through ccxt):
 * what changed on the exchange since the order was placed reaches the database and the orders topic,
 * and an open order with our prefix that the database does not have is adopted.
 */
describe('the periodic order reconciliation', () => {
  const fake = new FakeBinance('reconciler-binance-key-01', 'reconciler-binance-secret-0123456');
  // The periodic pass leaves alone orders changed (by the database's time) in the 5 s before its clock.
  const clock = new ManualClock(Date.now());
  /** Puts the clock 10 s after now: every order changed so far is old enough for a pass. */
  const settle = () => (clock.ms = Date.now() + 10_000);
  let t: TestApp;
  let trader: string;
  let reader: string;
  let accountId: string;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(
      {
        RATE_LIMIT_CONTROL: '100000',
        RATE_LIMIT_READ_ONLY: '100000',
        RATE_LIMIT_ADMIN: '100000',
        // Only the passes this test runs: a timed pass under way would answer for them.
        RECONCILE_INTERVAL_MS: '3600000',
      },
      {
        clock,
        exchange: {
          redirectApiTo: { binance: fake.baseUrl },
          rateLimitMs: 1,
          timeoutMs: 2000,
          retry: { attempts: 2, baseDelayMs: 1 },
        },
      },
    );
    const admin = (await loginAdmin(t)).accessToken;
    trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    reader = (await createKey(t, admin, { name: 'reader', permissions: [Role.READ_ONLY] })).apiKey;
    const account = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: {
        exchangeId: 'binance',
        label: 'reconciled',
        apiKey: fake.apiKey,
        secret: 'reconciler-binance-secret-0123456',
      },
    });
    expect(account.status).toBe(201);
    accountId = account.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
  });

  it('applies a fill that happened on the exchange, and says so on the orders topic', async () => {
    const placed = await call<Order>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.002, price: 50_000, accountId },
    });
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('OPEN');
    const socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    try {
      socket.send({ type: 'subscribe', topics: ['orders'] });
      await socket.next((message) => message.type === 'subscribed');
      fake.fillResting(placed.body.clientOrderId);
      settle();
      const report = await t.app.get(OrderReconciler).runPeriodic();
      expect(report).toMatchObject({ trigger: 'periodic', changed: 1, adopted: 0, errors: 0 });
      const event = await socket.next(
        (message) => message.type === 'ORDER_FILLED' && message.data.id === placed.body.id,
      );
      expect(event).toMatchObject({ topic: 'orders', data: { status: 'FILLED', filled: 0.002 } });
    } finally {
      socket.close();
    }
    const stored = await call<Order>(t, 'GET', `/api/orders/${placed.body.id}`, { token: reader });
    expect(stored.body).toMatchObject({ status: 'FILLED', filled: 0.002 });
  });

  it('adopts an open order with our prefix that the database does not have', async () => {
    // An order of this account still open, so the pass looks at the account's open orders.
    const resting = await call<Order>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 2_000, accountId },
    });
    expect(resting.body.status).toBe('OPEN');
    const stranger = fake.placeOutside({
      marketId: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      amount: 0.001,
      price: 40_000,
      clientOrderId: 'tp-restored-elsewhere-1',
    });
    settle();
    const report = await t.app.get(OrderReconciler).runPeriodic();
    expect(report).toMatchObject({ trigger: 'periodic', changed: 0, adopted: 1, errors: 0 });
    const listed = await call<{ items: Order[] }>(t, 'GET', '/api/orders?limit=100', { token: reader });
    const adopted = listed.body.items.filter((order) => order.clientOrderId === 'tp-restored-elsewhere-1');
    expect(adopted).toHaveLength(1);
    expect(adopted[0]).toMatchObject({
      status: 'OPEN',
      side: 'buy',
      type: 'limit',
      qty: 0.001,
      price: 40_000,
    });
    expect(stranger.status).toBe('open');
    // A second pass adopts nothing more.
    settle();
    expect(await t.app.get(OrderReconciler).runPeriodic()).toMatchObject({ adopted: 0, errors: 0 });
  });
});
