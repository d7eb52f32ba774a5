import { CcxtExchange, createCcxtInstance } from '../src/exchange/ccxt-exchange';
import { loadCcxt } from '../src/exchange/exchange-catalog.service';
import { toApiError } from '../src/exchange/exchange-errors';
import { FakeBinance } from './support/fake-exchange/fake-binance';

/** ccxt's own Binance code (signing, parsing, error mapping) against a loopback fake of the REST API. */
describe('CcxtExchange on Binance (fake exchange server)', () => {
  const apiKey = 'fake-binance-api-key-000111';
  const secret = 'fake-binance-secret-abcdef0123456789';
  let fake: FakeBinance;
  let ccxt: Awaited<ReturnType<typeof loadCcxt>>;

  beforeAll(async () => {
    ccxt = await loadCcxt();
    fake = new FakeBinance(apiKey, secret);
    await fake.start();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  function adapter(credentials = { apiKey, secret }): CcxtExchange {
    const exchange = createCcxtInstance(
      ccxt,
      { exchangeId: 'binance', credentials, sandbox: false, marketType: 'spot' },
      fake.baseUrl,
    );
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

  it('reads the balance with a valid signature', async () => {
    const before = fake.signedRequests;
    const balances = await adapter().balances();
    expect(balances.find((balance) => balance.currency === 'USDT')).toEqual({
      currency: 'USDT',
      free: '10000',
      used: '0',
      total: '10000',
    });
    expect(fake.signedRequests).toBe(before + 1);
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
    expect(fake.orders.find((o) => o.clientOrderId === 'tp-market-1')?.status).toBe('FILLED');
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
    expect(fake.rejectedSignatures).toBe(rejectedBefore + 1);
  });
});

describe('CcxtExchange faults (fake exchange server)', () => {
  const apiKey = 'fake-binance-api-key-000111';
  const secret = 'fake-binance-secret-abcdef0123456789';
  let fake: FakeBinance;
  let ccxt: Awaited<ReturnType<typeof loadCcxt>>;
  let exchange: CcxtExchange;

  beforeAll(async () => {
    ccxt = await loadCcxt();
    fake = new FakeBinance(apiKey, secret);
    await fake.start();
    const instance = createCcxtInstance(
      ccxt,
      { exchangeId: 'binance', credentials: { apiKey, secret }, sandbox: false, marketType: 'spot' },
      fake.baseUrl,
    );
    instance.timeout = 2000;
    exchange = new CcxtExchange(instance, ccxt, { attempts: 3, baseDelayMs: 1 });
    await exchange.markets();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it('retries a read after a 429 or a 503, and succeeds', async () => {
    fake.faults.push({ method: 'GET', path: '/api/v3/account', kind: 'rateLimit' });
    fake.faults.push({ method: 'GET', path: '/api/v3/account', kind: 'serverError' });
    const before = fake.requests.get('GET /api/v3/account') ?? 0;
    const balances = await exchange.balances();
    expect(balances.find((b) => b.currency === 'USDT')?.total).toBe('10000');
    expect(fake.requests.get('GET /api/v3/account')).toBe(before + 3);
  });

  it('never resends an order placement after a 429', async () => {
    fake.faults.push({ method: 'POST', path: '/api/v3/order', kind: 'rateLimit' });
    const before = fake.requests.get('POST /api/v3/order') ?? 0;
    await expect(
      exchange.createOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        amount: '0.01',
        clientOrderId: 'tp-429',
      }),
    ).rejects.toBeInstanceOf(ccxt.NetworkError); // Binance's 429 arrives as DDoSProtection, a NetworkError
    expect(fake.requests.get('POST /api/v3/order')).toBe(before + 1);
    expect(fake.orders.filter((order) => order.clientOrderId === 'tp-429')).toHaveLength(0);
  });

  it('after an applied placement whose answer was lost, sends nothing again and finds exactly one order by client order id', async () => {
    fake.faults.push({ method: 'POST', path: '/api/v3/order', kind: 'lostResponse' });
    const before = fake.requests.get('POST /api/v3/order') ?? 0;
    const lost = await exchange
      .createOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        amount: '0.01',
        clientOrderId: 'tp-lost',
      })
      .catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(ccxt.NetworkError);
    expect(fake.requests.get('POST /api/v3/order')).toBe(before + 1);
    const found = await exchange.fetchOrder({ clientOrderId: 'tp-lost' }, 'BTC/USDT');
    expect(found).toMatchObject({ clientOrderId: 'tp-lost', status: 'closed', filled: '0.01' });
    expect(fake.orders.filter((order) => order.clientOrderId === 'tp-lost')).toHaveLength(1);
  });
});
