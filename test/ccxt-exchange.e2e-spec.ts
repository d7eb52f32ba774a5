import { CcxtExchange } from '../src/exchange/ccxt-exchange';
import { createCcxtInstance } from '../src/exchange/ccxt-instance';
import { loadCcxt } from '../src/exchange/exchange-catalog.service';
import { toApiError } from '../src/exchange/exchange-errors';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { FakeBybit } from './support/fake-exchange/fake-bybit';
import { FakeVenue } from './support/fake-exchange/fake-venue';

interface DialectCase {
  exchangeId: 'binance' | 'bybit';
  create: (apiKey: string, secret: string) => FakeVenue;
  /** The private read behind fetchBalance and the placement endpoint, for fault injection. */
  balancePath: string;
  placePath: string;
  accountType: string;
}

const DIALECTS: DialectCase[] = [
  {
    exchangeId: 'binance',
    create: (apiKey, secret) => new FakeBinance(apiKey, secret),
    balancePath: '/api/v3/account',
    placePath: '/api/v3/order',
    accountType: 'SPOT',
  },
  {
    exchangeId: 'bybit',
    create: (apiKey, secret) => new FakeBybit(apiKey, secret),
    balancePath: '/v5/account/wallet-balance',
    placePath: '/v5/order/create',
    accountType: 'UNIFIED',
  },
];

/** ccxt's own exchange code (signing, parsing, error mapping) against loopback fakes of the REST APIs. */
describe.each(DIALECTS)('CcxtExchange on $exchangeId (fake exchange server)', (dialect) => {
  const apiKey = `fake-${dialect.exchangeId}-api-key-000111`;
  const secret = `fake-${dialect.exchangeId}-secret-abcdef0123456789`;
  let fake: FakeVenue;
  let ccxt: Awaited<ReturnType<typeof loadCcxt>>;

  beforeAll(async () => {
    ccxt = await loadCcxt();
    fake = dialect.create(apiKey, secret);
    await fake.start();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  function adapter(credentials = { apiKey, secret }, timeoutMs?: number): CcxtExchange {
    const exchange = createCcxtInstance(
      ccxt,
      { exchangeId: dialect.exchangeId, credentials, sandbox: false, marketType: 'spot' },
      fake.baseUrl,
      1,
    );
    if (timeoutMs) exchange.timeout = timeoutMs;
    return new CcxtExchange(exchange, ccxt, { attempts: 3, baseDelayMs: 1 });
  }

  it('loads markets with their precision and limits', async () => {
    const markets = await adapter().markets();
    expect(markets.map((market) => market.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(markets.find((market) => market.symbol === 'BTC/USDT')).toMatchObject({
      base: 'BTC',
      quote: 'USDT',
      amountStep: '0.00001',
      priceStep: '0.01',
      minAmount: '0.00001',
      minNotional: '5',
    });
  });

  it('reads the balance and the account status with valid signatures', async () => {
    const before = fake.signedRequests;
    const exchange = adapter();
    const balances = await exchange.balances();
    expect(balances.find((balance) => balance.currency === 'USDT')).toEqual({
      currency: 'USDT',
      free: '10000',
      used: '0',
      total: '10000',
    });
    expect(fake.signedRequests).toBeGreaterThan(before);
    expect(fake.rejectedSignatures).toBe(0);
    const status = await exchange.accountStatus('spot');
    expect(status).toMatchObject({ accountType: dialect.accountType, tradingEnabled: true });
    expect(exchange.lastSyncMs).toBeGreaterThan(0);
  });

  it('reads ticker, order book and closed candles from the public endpoints', async () => {
    const exchange = adapter();
    const ticker = await exchange.ticker('BTC/USDT');
    expect(ticker).toMatchObject({ symbol: 'BTC/USDT', last: 60000, bid: 59999, ask: 60001 });
    expect(ticker.quoteVolume24h).toBeCloseTo(1234.5 * 60000, 3);
    const book = await exchange.orderBook('ETH/USDT', 5);
    expect(book.bids).toHaveLength(5);
    expect(book.bids[0]).toEqual([2999, 0.5]);
    expect(book.asks[0]).toEqual([3001, 0.5]);
    const since = Date.now() - 10 * 60_000;
    const candles = await exchange.ohlcv('BTC/USDT', '1m', since, 20);
    expect(candles.length).toBeGreaterThanOrEqual(9);
    expect(candles.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < candles.length; i++)
      expect(candles[i].openTime - candles[i - 1].openTime).toBe(60_000);
    expect(candles[candles.length - 1].openTime + 60_000).toBeLessThanOrEqual(Date.now());
  });

  it('places a market order with our client order id, and finds it again by that id', async () => {
    const exchange = adapter();
    const order = await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '0.01',
      clientOrderId: 'tp-market-1',
    });
    expect(order).toMatchObject({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      status: 'closed',
      filled: '0.01',
      clientOrderId: 'tp-market-1',
      average: '60000',
    });
    expect(fake.ordersWithClientId('tp-market-1').map((o) => o.status)).toEqual(['filled']);
    const found = await exchange.fetchOrder({ clientOrderId: 'tp-market-1' }, 'BTC/USDT');
    expect(found.id).toBe(order.id);
    const byId = await exchange.fetchOrder({ id: order.id }, 'BTC/USDT');
    expect(byId.clientOrderId).toBe('tp-market-1');
    const trades = await exchange.fetchMyTrades('BTC/USDT');
    expect(trades.map((trade) => [trade.orderId, trade.amount, trade.price])).toEqual([
      [order.id, '0.01', '60000'],
    ]);
  });

  it('rests a limit order, lists it open, and cancels it', async () => {
    const exchange = adapter();
    const order = await exchange.createOrder({
      symbol: 'ETH/USDT',
      side: 'buy',
      type: 'limit',
      amount: '0.5',
      price: '2500',
      clientOrderId: 'tp-limit-1',
    });
    expect(order).toMatchObject({ status: 'open', price: '2500', filled: '0' });
    expect((await exchange.fetchOpenOrders('ETH/USDT')).map((open) => open.id)).toEqual([order.id]);
    expect((await exchange.balances()).find((b) => b.currency === 'USDT')?.used).toBe('1250');
    const canceled = await exchange.cancelOrder(order.id, 'ETH/USDT');
    expect(canceled.status).toBe('canceled');
    expect(await exchange.fetchOpenOrders('ETH/USDT')).toEqual([]);
    expect((await exchange.balances()).find((b) => b.currency === 'USDT')?.used).toBe('0');
  });

  it("maps the exchange's refusals to ccxt's classes and then to API codes", async () => {
    const exchange = adapter();
    const tooBig = exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '5',
      clientOrderId: 'tp-too-big',
    });
    await expect(tooBig).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    expect(fake.ordersWithClientId('tp-too-big')).toHaveLength(0);
    const missing = await exchange
      .fetchOrder({ clientOrderId: 'nope' }, 'BTC/USDT')
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ccxt.OrderNotFound);
    expect(toApiError(missing, ccxt).getStatus()).toBe(404);

    const rejectedBefore = fake.rejectedSignatures;
    const forged = await adapter({ apiKey, secret: 'not-the-secret-0000000000' })
      .balances()
      .catch((error: unknown) => error);
    expect(forged).toBeInstanceOf(ccxt.AuthenticationError);
    expect(toApiError(forged, ccxt).code).toBe('EXCHANGE_ERROR');
    expect(fake.rejectedSignatures).toBeGreaterThan(rejectedBefore);
  });

  describe('faults', () => {
    let exchange: CcxtExchange;
    beforeAll(async () => {
      exchange = adapter({ apiKey, secret }, 500);
      await exchange.markets();
      await exchange.balances(); // Bybit: learns the account kind once, before faults are injected
    });

    it('retries a read after a 429 or a 503, and succeeds', async () => {
      fake.faults.push({ method: 'GET', path: dialect.balancePath, kind: 'rateLimit' });
      fake.faults.push({ method: 'GET', path: dialect.balancePath, kind: 'serverError' });
      const before = fake.seen('GET', dialect.balancePath);
      const balances = await exchange.balances();
      expect(balances.find((b) => b.currency === 'BTC')?.total).toBe('0.01');
      expect(fake.seen('GET', dialect.balancePath)).toBe(before + 3);
    });

    it('retries a read that timed out', async () => {
      fake.faults.push({ method: 'GET', path: dialect.balancePath, kind: 'timeout' });
      const before = fake.seen('GET', dialect.balancePath);
      const balances = await exchange.balances();
      expect(balances.find((b) => b.currency === 'BTC')?.total).toBe('0.01');
      expect(fake.seen('GET', dialect.balancePath)).toBe(before + 2);
    });

    it('never resends an order placement after a 429', async () => {
      fake.faults.push({ method: 'POST', path: dialect.placePath, kind: 'rateLimit' });
      const before = fake.seen('POST', dialect.placePath);
      await expect(
        exchange.createOrder({
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'market',
          amount: '0.01',
          clientOrderId: 'tp-429',
        }),
      ).rejects.toBeInstanceOf(ccxt.NetworkError); // a 429 arrives as DDoSProtection / RateLimitExceeded
      expect(fake.seen('POST', dialect.placePath)).toBe(before + 1);
      expect(fake.ordersWithClientId('tp-429')).toHaveLength(0);
    });

    it.each(['lostResponse', 'timeout'] as const)(
      'after an applied placement whose answer never came (%s), sends nothing again and finds exactly one order by client order id',
      async (kind) => {
        const clientOrderId = `tp-${kind}`;
        fake.faults.push({ method: 'POST', path: dialect.placePath, kind });
        const before = fake.seen('POST', dialect.placePath);
        const lost = await exchange
          .createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01', clientOrderId })
          .catch((error: unknown) => error);
        // A dropped connection is a plain NetworkError ("fetch failed"); a held answer, its RequestTimeout.
        const expected = { lostResponse: ccxt.NetworkError, timeout: ccxt.RequestTimeout }[kind];
        expect(lost).toBeInstanceOf(ccxt.NetworkError);
        expect((lost as Error).constructor).toBe(expected);
        expect(fake.seen('POST', dialect.placePath)).toBe(before + 1);
        const found = await exchange.fetchOrder({ clientOrderId }, 'BTC/USDT');
        expect(found).toMatchObject({ clientOrderId, status: 'closed', filled: '0.01' });
        expect(fake.ordersWithClientId(clientOrderId)).toHaveLength(1);
      },
    );
  });
});

describe("CcxtExchange on bybit: orders beyond fetchOrder's window", () => {
  const apiKey = 'fake-bybit-window-key-000222';
  const secret = 'fake-bybit-window-secret-abcdef0123456789';
  const fake = new FakeBybit(apiKey, secret);
  let exchange: CcxtExchange;
  let ccxt: Awaited<ReturnType<typeof loadCcxt>>;

  beforeAll(async () => {
    ccxt = await loadCcxt();
    await fake.start();
    // Bybit's fetchOrder sees the last 500 orders; here the last one, so the first is beyond it.
    fake.realtimeWindow = 1;
    exchange = new CcxtExchange(
      createCcxtInstance(
        ccxt,
        { exchangeId: 'bybit', credentials: { apiKey, secret }, sandbox: false, marketType: 'spot' },
        fake.baseUrl,
        1,
      ),
      ccxt,
      { attempts: 2, baseDelayMs: 1 },
    );
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('finds an older order in the order history, by client order id and by id', async () => {
    const older = await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '0.01',
      clientOrderId: 'tp-window-1',
    });
    await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '0.02',
      clientOrderId: 'tp-window-2',
    });
    const historyBefore = fake.seen('GET', '/v5/order/history');
    const byClientId = await exchange.fetchOrder({ clientOrderId: 'tp-window-1' }, 'BTC/USDT');
    expect(byClientId).toMatchObject({
      id: older.id,
      status: 'closed',
      filled: '0.01',
      clientOrderId: 'tp-window-1',
    });
    const byId = await exchange.fetchOrder({ id: older.id }, 'BTC/USDT');
    expect(byId).toMatchObject({ clientOrderId: 'tp-window-1', filled: '0.01' });
    expect(fake.seen('GET', '/v5/order/history')).toBe(historyBefore + 2);
    // The newest order is still answered by fetchOrder itself.
    const newest = await exchange.fetchOrder({ clientOrderId: 'tp-window-2' }, 'BTC/USDT');
    expect(newest.filled).toBe('0.02');
    expect(fake.seen('GET', '/v5/order/history')).toBe(historyBefore + 2);
    // An order on neither list is not found.
    await expect(
      exchange.fetchOrder({ clientOrderId: 'tp-never-placed' }, 'BTC/USDT'),
    ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });
});
