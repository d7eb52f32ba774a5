import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { ExchangeFailure } from '../src/exchange/exchange-errors';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { PaperExchangeService } from '../src/exchange/paper/paper-exchange.service';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { DAY_MS, SIMULATION_EPOCH_MS } from '../src/market/simulated-market';
import { call, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

const FEES = { maker: '0.0008', taker: '0.001' };
/** BTC trades near 130k at the chosen moment: enough quote to buy 0.1 and not 1. */
const STARTING = 100_000;
const BTC = 0;

describe('the paper exchange', () => {
  let t: TestApp;
  let clock: ManualClock;
  let quotes: MarketSimulationService['quotes'];
  let counter = 0;

  beforeAll(async () => {
    t = await startTestApp({ MARKET_SIMULATION: 'false', PAPER_STARTING_BALANCE: String(STARTING) });
    quotes = t.app.get(MarketSimulationService).quotes;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A fresh account with STARTING USDT, on a clock set to a fixed moment of the simulated market. */
  async function freshAccount(): Promise<PaperExchange> {
    const service = t.app.get(PaperExchangeService);
    const account = await service.account(`account-${++counter}`);
    clock = new ManualClock(SIMULATION_EPOCH_MS + 700 * DAY_MS + 12 * 3_600_000 + 17_000);
    return new PaperExchange(account.accountId, t.app.get(DataSource), quotes, clock, FEES);
  }

  async function balance(
    exchange: PaperExchange,
    currency: string,
  ): Promise<{ free: Decimal; used: Decimal }> {
    const row = (await exchange.balances()).find((b) => b.currency === currency);
    return { free: new Decimal(row?.free ?? 0), used: new Decimal(row?.used ?? 0) };
  }

  it('fills a market buy of 0.1 BTC by walking the asks, with slippage and the taker fee, to the exact decimal', async () => {
    const exchange = await freshAccount();
    const asks = quotes.orderBook(BTC, clock.ms, 50).asks;
    // Independent expectation: take 0.1 from the asks in order.
    let left = new Decimal('0.1');
    let cost = new Decimal(0);
    for (const [price, amount] of asks) {
      if (left.lte(0)) break;
      const take = Decimal.min(left, amount);
      cost = cost.plus(new Decimal(price).times(take));
      left = left.minus(take);
    }
    const fee = cost.times(FEES.taker);
    const order = await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '0.1',
      clientOrderId: 'mkt-1',
    });
    expect(order).toMatchObject({
      status: 'closed',
      filled: '0.1',
      remaining: '0',
      cost: cost.toString(),
      fee: { cost: fee.toString(), currency: 'USDT' },
    });
    expect(new Decimal(order.average!).gte(asks[0][0])).toBe(true);
    expect((await balance(exchange, 'USDT')).free.toString()).toBe(
      new Decimal(STARTING).minus(cost).minus(fee).toString(),
    );
    expect((await balance(exchange, 'BTC')).free.toString()).toBe('0.1');
    const trades = await exchange.fetchMyTrades('BTC/USDT');
    expect(trades.reduce((sum, trade) => sum.plus(trade.amount), new Decimal(0)).toString()).toBe('0.1');
    expect(trades.every((trade) => trade.takerOrMaker === 'taker')).toBe(true);
    // The order comes with its fills, as stored: the trading core need not look them up.
    expect(order.trades).toEqual(trades);
  });

  it('slips more on a larger order: it walks deeper into the book', async () => {
    const exchange = await freshAccount();
    // SEI is thin: about 1,200 USDT at the touch, so 20,000 SEI (~10,000 USDT) takes many levels.
    const small = await exchange.createOrder({
      symbol: 'SEI/USDT',
      side: 'buy',
      type: 'market',
      amount: '20',
      clientOrderId: 's',
    });
    const large = await exchange.createOrder({
      symbol: 'SEI/USDT',
      side: 'buy',
      type: 'market',
      amount: '20000',
      clientOrderId: 'l',
    });
    expect(new Decimal(large.average!).gt(small.average!)).toBe(true);
    const fills = (await exchange.fetchMyTrades('SEI/USDT')).filter((trade) => trade.orderId === large.id);
    expect(fills.length).toBeGreaterThan(3);
  });

  it('rests a limit buy below the market, holding its funds, and fills it at its price once the market crosses it', async () => {
    const exchange = await freshAccount();
    const bestAsk = quotes.orderBook(BTC, clock.ms, 1).asks[0][0];
    // The first moment within two days when the ask reaches 1 % below now: there the order must fill.
    const limit = new Decimal(bestAsk).times(0.99).toDecimalPlaces(1, Decimal.ROUND_DOWN);
    let crossing = clock.ms;
    while (new Decimal(quotes.orderBook(BTC, crossing, 1).asks[0][0]).gt(limit)) {
      crossing += 10_000;
      if (crossing > clock.ms + 2 * DAY_MS)
        throw new Error('the market never came down 1 % in two days; pick another moment');
    }
    const order = await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: '0.05',
      price: limit.toString(),
      clientOrderId: 'lim-1',
    });
    expect(order.status).toBe('open');
    const held = limit.times('0.05').times(new Decimal(1).plus(FEES.maker));
    expect((await balance(exchange, 'USDT')).used.toString()).toBe(held.toString());
    expect((await balance(exchange, 'USDT')).free.toString()).toBe(
      new Decimal(STARTING).minus(held).toString(),
    );

    clock.ms = crossing - 10_000;
    expect(await exchange.matchOpenOrders()).toBe(0);
    clock.ms = crossing;
    expect(await exchange.matchOpenOrders()).toBe(1);
    const filled = await exchange.fetchOrder({ clientOrderId: 'lim-1' }, 'BTC/USDT');
    const cost = limit.times('0.05');
    const fee = cost.times(FEES.maker);
    expect(filled).toMatchObject({
      status: 'closed',
      filled: '0.05',
      average: limit.toString(),
      cost: cost.toString(),
      fee: { cost: fee.toString() },
    });
    const usdt = await balance(exchange, 'USDT');
    expect(usdt.used.toString()).toBe('0');
    expect(usdt.free.toString()).toBe(new Decimal(STARTING).minus(cost).minus(fee).toString());
    expect((await exchange.fetchMyTrades()).map((trade) => trade.takerOrMaker)).toEqual(['maker']);
  });

  it('refuses an order larger than the balance as insufficient_funds and changes nothing', async () => {
    const exchange = await freshAccount();
    const before = await exchange.balances();
    const tooBig = exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '1',
      clientOrderId: 'too-big',
    });
    await expect(tooBig).rejects.toBeInstanceOf(ExchangeFailure);
    await expect(tooBig).rejects.toMatchObject({ kind: 'insufficient_funds' });
    await expect(
      exchange.createOrder({
        symbol: 'BTC/USDT',
        side: 'sell',
        type: 'market',
        amount: '0.01',
        clientOrderId: 'no-btc',
      }),
    ).rejects.toMatchObject({ kind: 'insufficient_funds' });
    const price = quotes.orderBook(BTC, clock.ms, 1).bids[0][0];
    await expect(
      exchange.createOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        amount: '1',
        price: String(price * 0.9),
        clientOrderId: 'too-big-limit',
      }),
    ).rejects.toMatchObject({ kind: 'insufficient_funds' });
    expect(await exchange.balances()).toEqual(before);
    expect(await exchange.fetchOpenOrders()).toEqual([]);
    expect(await exchange.fetchMyTrades()).toEqual([]);
  });

  it('checks precision, minimum value and symbol like an exchange', async () => {
    const exchange = await freshAccount();
    const order = await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '0.0012345678',
      clientOrderId: 'p1',
    });
    expect(order.amount).toBe('0.00123');
    await expect(
      exchange.createOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        amount: '0.00003',
        clientOrderId: 'p2',
      }),
    ).rejects.toMatchObject({ kind: 'invalid_order' });
    await expect(
      exchange.createOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        amount: '0.000001',
        clientOrderId: 'p3',
      }),
    ).rejects.toThrow(/at least/);
    await expect(
      exchange.createOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        amount: '0.01',
        clientOrderId: 'p4',
      }),
    ).rejects.toThrow(/price is required/);
    await expect(
      exchange.createOrder({
        symbol: 'NOPE/USDT',
        side: 'buy',
        type: 'market',
        amount: '1',
        clientOrderId: 'p5',
      }),
    ).rejects.toMatchObject({ kind: 'bad_symbol' });
  });

  it('returns the first order again for a repeated client order id, charging once', async () => {
    const exchange = await freshAccount();
    const first = await exchange.createOrder({
      symbol: 'SOL/USDT',
      side: 'buy',
      type: 'market',
      amount: '1',
      clientOrderId: 'same',
    });
    const usdtAfterFirst = (await balance(exchange, 'USDT')).free;
    const again = await exchange.createOrder({
      symbol: 'SOL/USDT',
      side: 'buy',
      type: 'market',
      amount: '1',
      clientOrderId: 'same',
    });
    expect(again.id).toBe(first.id);
    expect((await balance(exchange, 'USDT')).free.toString()).toBe(usdtAfterFirst.toString());
  });

  it('returns the first order again for a repeated client order id when the funds are spent by now', async () => {
    const exchange = await freshAccount();
    const request = {
      symbol: 'BTC/USDT',
      side: 'buy' as const,
      type: 'market' as const,
      amount: '0.5',
      clientOrderId: 'spent',
    };
    const first = await exchange.createOrder(request);
    // What is left cannot pay for the same order again: the repeat is still the first order.
    await expect(exchange.createOrder({ ...request, clientOrderId: 'fresh' })).rejects.toMatchObject({
      kind: 'insufficient_funds',
    });
    const again = await exchange.createOrder(request);
    expect(again).toMatchObject({ id: first.id, status: 'closed', filled: '0.5' });
    expect((await balance(exchange, 'BTC')).free.toString()).toBe('0.5');
    expect((await exchange.fetchMyTrades('BTC/USDT')).map((trade) => trade.orderId)).toEqual(
      first.trades!.map(() => first.id),
    );
  });

  it('triggers a stop sell when the price falls to it, and cancels a resting order back to free funds', async () => {
    const exchange = await freshAccount();
    await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '0.05',
      clientOrderId: 'buy',
    });
    const last = quotes.priceAt(BTC, clock.ms);
    const stop = new Decimal(last).times(0.995).toDecimalPlaces(1);
    await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'stop',
      amount: '0.05',
      stopPrice: stop.toString(),
      clientOrderId: 'stop',
    });
    let when = clock.ms;
    while (new Decimal(quotes.priceAt(BTC, when)).gt(stop)) when += 5_000;
    clock.ms = when;
    expect(await exchange.matchOpenOrders()).toBe(1);
    const stopped = await exchange.fetchOrder({ clientOrderId: 'stop' }, 'BTC/USDT');
    expect(stopped).toMatchObject({ status: 'closed', filled: '0.05' });
    expect((await balance(exchange, 'BTC')).free.toString()).toBe('0');

    const resting = await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: '0.01',
      price: '1000',
      clientOrderId: 'cancel-me',
    });
    const freeWhileResting = (await balance(exchange, 'USDT')).free;
    const canceled = await exchange.cancelOrder(resting.id, 'BTC/USDT');
    expect(canceled.status).toBe('canceled');
    const usdt = await balance(exchange, 'USDT');
    expect(usdt.used.toString()).toBe('0');
    expect(usdt.free.minus(freeWhileResting).toString()).toBe(
      new Decimal('10').times(new Decimal(1).plus(FEES.maker)).toString(),
    );
    await expect(exchange.cancelOrder(resting.id, 'BTC/USDT')).rejects.toMatchObject({
      kind: 'invalid_order',
    });
  });

  it('keeps accounts, balances and open orders in the database: another instance sees the same', async () => {
    const exchange = await freshAccount();
    await exchange.createOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: '0.01',
      price: '1000',
      clientOrderId: 'persist',
    });
    const again = new PaperExchange(exchange.accountId, t.app.get(DataSource), quotes, clock, FEES);
    expect(await again.balances()).toEqual(await exchange.balances());
    expect(await again.fetchOpenOrders()).toEqual(await exchange.fetchOpenOrders());
  });
});

describe('GET /api/balances', () => {
  it('shows the default paper account: the starting balance, then what a trade changed, valued in USDT', async () => {
    const t = await startTestApp({ PAPER_STARTING_BALANCE: '25000' });
    try {
      const token = (await loginAdmin(t)).accessToken;
      type Balances = {
        exchange: string;
        items: Array<{ currency: string; free: number; used: number; total: number; usdValue: number }>;
        totalUsdValue: number;
      };
      const first = await call<Balances>(t, 'GET', '/api/balances', { token });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        exchange: 'paper',
        items: [{ currency: 'USDT', free: 25000, used: 0, total: 25000, usdValue: 25000 }],
        totalUsdValue: 25000,
      });

      const exchange = await t.app.get(PaperExchangeService).account();
      await exchange.createOrder({
        symbol: 'ETH/USDT',
        side: 'buy',
        type: 'market',
        amount: '0.5',
        clientOrderId: 'balances-1',
      });
      const after = await call<Balances>(t, 'GET', '/api/balances', { token });
      const eth = after.body.items.find((item) => item.currency === 'ETH')!;
      const usdt = after.body.items.find((item) => item.currency === 'USDT')!;
      expect(eth).toMatchObject({ free: 0.5, total: 0.5 });
      expect(eth.usdValue).toBeGreaterThan(0);
      expect(usdt.free).toBeLessThan(25000);
      // Spending moved value into ETH, minus the fee and the spread.
      expect(after.body.totalUsdValue).toBeGreaterThan(24_900);
      expect(after.body.totalUsdValue).toBeLessThan(25_000);
    } finally {
      await t.close();
    }
  });
});

describe('the paper exchange across an application restart', () => {
  it('has the same balances and open orders after the app is closed and started again on its data', async () => {
    const first = await startTestApp({ PAPER_STARTING_BALANCE: '20000' });
    const database = first.database;
    let firstOpen = true;
    let second: TestApp | undefined;
    try {
      const exchange = await first.app.get(PaperExchangeService).account();
      await exchange.createOrder({
        symbol: 'ETH/USDT',
        side: 'buy',
        type: 'market',
        amount: '0.25',
        clientOrderId: 'restart-market',
      });
      // Far below the market: it rests (and holds its funds) across the restart.
      const resting = await exchange.createOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        amount: '0.01',
        price: '1000',
        clientOrderId: 'restart-limit',
      });
      const balancesBefore = await exchange.balances();
      const openBefore = await exchange.fetchOpenOrders();
      expect(openBefore.map((order) => order.id)).toEqual([resting.id]);
      expect(balancesBefore.find((b) => b.currency === 'USDT')?.used).toBe('10.008'); // the price plus the maker fee it may cost
      await first.app.close();
      firstOpen = false;

      second = await startTestApp({ PAPER_STARTING_BALANCE: '99999' }, { database });
      const restarted = await second.app.get(PaperExchangeService).account();
      expect(await restarted.balances()).toEqual(balancesBefore);
      expect(await restarted.fetchOpenOrders()).toEqual(openBefore);
      const token = (await loginAdmin(second)).accessToken;
      const shown = await call<{ items: Array<{ currency: string; total: number }> }>(
        second,
        'GET',
        '/api/balances',
        {
          token,
        },
      );
      expect(shown.body.items.map((item) => [item.currency, item.total])).toEqual(
        balancesBefore.map((b) => [b.currency, Number(b.total)]),
      );
    } finally {
      if (firstOpen) await first.app.close();
      await second?.close();
      await database.drop();
    }
  });
});
