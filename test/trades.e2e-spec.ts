import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

interface Trade {
  id: string;
  symbol: string;
  status: string;
  positionSide: string;
  amount: number;
  openAmount: number;
  entryAmount: number;
  entryPrice: number | null;
  exitPrice: number | null;
  currentPrice: number | null;
  stopLoss: number | null;
  takeProfit: number | null;
  realizedPnl: number;
  unrealizedPnl: number;
  pnl: number;
  pnlR: number | null;
  initialRisk: number | null;
  fees: number;
  closeReason: string | null;
  orders?: Array<{ id: string; intent: string; status: string }>;
}

describe('trades and positions', () => {
  let t: TestApp;
  let admin: string;
  let trader: string;
  let reader: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_CONTROL: '100000', RATE_LIMIT_READ_ONLY: '100000' });
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  async function watcher(): Promise<TestSocket> {
    const socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${reader}`));
    sockets.push(socket);
    await socket.next((message) => message.type === 'authenticated');
    socket.send({ type: 'subscribe', topics: ['orders', 'positions'] });
    await socket.next((message) => message.type === 'subscribed');
    return socket;
  }

  async function open(body: Record<string, unknown>): Promise<Trade> {
    const response = await call<Trade>(t, 'POST', '/api/trades', { token: trader, body });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function until(id: string, status: string): Promise<Trade> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const trade = await call<Trade>(t, 'GET', `/api/trades/${id}`, { token: reader });
      if (trade.body.status === status || Date.now() > deadline) return trade.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The guard's next check finds the bid at or below the stop. */
  async function raiseStopAboveMarket(trade: Trade): Promise<void> {
    await t.app
      .get(DataSource)
      .query('UPDATE trades SET stop_loss = $2 WHERE id = $1', [trade.id, trade.entryPrice! * 2]);
  }

  /** Sells minus buys minus fees, from the fills table: what realised PnL must equal. */
  async function pnlFromFills(tradeId: string): Promise<Decimal> {
    const fills = await t.app
      .get(DataSource)
      .query<Array<{ side: string; cost: string; fee: string }>>(
        'SELECT f.side, f.cost, f.fee FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.trade_id = $1',
        [tradeId],
      );
    return fills.reduce(
      (sum, fill) => (fill.side === 'sell' ? sum.plus(fill.cost) : sum.minus(fill.cost)).minus(fill.fee),
      new Decimal(0),
    );
  }

  it('opens a position with a market entry: ORDER_PLACED, ORDER_FILLED, POSITION_OPENED in that order', async () => {
    const socket = await watcher();
    const trade = await open({ symbol: 'BTC-USDT', side: 'buy', amount: 0.01 });
    expect(trade).toMatchObject({
      symbol: 'BTC/USDT',
      status: 'OPEN',
      positionSide: 'long',
      amount: 0.01,
      entryAmount: 0.01,
    });
    expect(trade.entryPrice).toBeGreaterThan(0);
    expect(trade.fees).toBeGreaterThan(0);
    await socket.next((message) => message.type === 'POSITION_OPENED' && message.data.id === trade.id);
    const entryOrder = (await call<Trade>(t, 'GET', `/api/trades/${trade.id}`, { token: reader })).body
      .orders![0];
    const relevant = socket.messages.filter(
      (message) => message.data.id === entryOrder.id || message.data.id === trade.id,
    );
    expect(relevant.map((message) => message.type)).toEqual([
      'ORDER_PLACED',
      'ORDER_FILLED',
      'POSITION_OPENED',
    ]);

    const positions = await call<{ items: Array<Record<string, unknown>>; total: number }>(
      t,
      'GET',
      '/api/positions',
      {
        token: reader,
      },
    );
    expect(positions.body.items.find((position) => position.id === trade.id)).toMatchObject({
      symbol: 'BTC/USDT',
      side: 'long',
      size: 0.01,
      mode: 'paper',
      entry: trade.entryPrice,
    });
    const status = await call<{ openPositions: number; active: boolean; portfolioValue: number }>(
      t,
      'GET',
      '/api/trading/status',
      { token: reader },
    );
    expect(status.body).toMatchObject({ active: true });
    expect(status.body.openPositions).toBeGreaterThanOrEqual(1);
    expect(status.body.portfolioValue).toBeGreaterThan(9000);
    const refused = await call(t, 'POST', `/api/trades/${trade.id}/close`, { token: reader, body: {} });
    expect(refused.status).toBe(403);
  });

  it('closes a trade whose stop loss the market reached, with reason stop_loss and PnL equal to its fills minus fees', async () => {
    const socket = await watcher();
    const trade = await open({ symbol: 'ETH/USDT', side: 'buy', amount: 0.2, stopLoss: 1 });
    expect(trade.initialRisk).toBeGreaterThan(0);
    // The API refuses a stop above the market; as if the market fell through it, move it there in the table.
    await raiseStopAboveMarket(trade);
    const closed = await until(trade.id, 'CLOSED');
    expect(closed).toMatchObject({
      status: 'CLOSED',
      closeReason: 'stop_loss',
      amount: 0.2,
      openAmount: 0,
      unrealizedPnl: 0,
    });
    expect(closed.orders!.map((order) => [order.intent, order.status])).toEqual([
      ['entry', 'FILLED'],
      ['stop_loss', 'FILLED'],
    ]);
    const expected = await pnlFromFills(trade.id);
    expect(new Decimal(closed.realizedPnl).minus(expected).abs().lt(0.005)).toBe(true);
    expect(closed.realizedPnl).toBeLessThan(0); // spread and fees
    expect(closed.pnlR).toBeCloseTo(closed.realizedPnl / closed.initialRisk!, 3);
    await socket.next((message) => message.type === 'POSITION_CLOSED' && message.data.id === trade.id);
  });

  it('closes a trade whose take profit the market reached, with reason take_profit', async () => {
    const trade = await open({ symbol: 'ADA/USDT', side: 'buy', amount: 40, takeProfit: 1_000 });
    // The API refuses a target below the market; as if the market rose through it, move it there in the table.
    await t.app
      .get(DataSource)
      .query('UPDATE trades SET take_profit = $2 WHERE id = $1', [trade.id, trade.entryPrice! / 2]);
    const closed = await until(trade.id, 'CLOSED');
    expect(closed).toMatchObject({ status: 'CLOSED', closeReason: 'take_profit', openAmount: 0, amount: 40 });
    expect(closed.orders!.map((order) => [order.intent, order.status])).toEqual([
      ['entry', 'FILLED'],
      ['take_profit', 'FILLED'],
    ]);
  });

  it('closes part of a position, then all of it by hand, and refuses a second close', async () => {
    const trade = await open({ symbol: 'SOL/USDT', side: 'buy', amount: 2 });
    const partial = await call<{ size: number; status: string }>(
      t,
      'POST',
      `/api/positions/${trade.id}/close`,
      {
        token: trader,
        body: { amount: 0.5 },
      },
    );
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({ size: 1.5, status: 'OPEN' });
    const closed = await call<Trade>(t, 'POST', `/api/trades/${trade.id}/close`, {
      token: trader,
      body: { reason: 'manual' },
    });
    expect(closed.status).toBe(201);
    expect(closed.body).toMatchObject({ status: 'CLOSED', closeReason: 'manual', amount: 2, openAmount: 0 });
    expect(
      new Decimal(closed.body.realizedPnl)
        .minus(await pnlFromFills(trade.id))
        .abs()
        .lt(0.005),
    ).toBe(true);
    const again = await call(t, 'POST', `/api/trades/${trade.id}/close`, { token: trader, body: {} });
    expect(again.status).toBe(409);

    const history = await call<{ items: Trade[]; total: number; totalPnl: number; count: number }>(
      t,
      'GET',
      '/api/trades/history?status=CLOSED&symbol=SOLUSDT',
      { token: reader },
    );
    expect(history.body.items.map((item) => item.id)).toEqual([trade.id]);
    expect(history.body.totalPnl).toBeCloseTo(closed.body.realizedPnl, 6);
  });

  it('refuses a plain sell of the coins behind an open trade, which still closes', async () => {
    const trade = await open({ symbol: 'AVAX/USDT', side: 'buy', amount: 3 });
    const sell = await call<{ error: string; message: string }>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'AVAX/USDT', side: 'sell', type: 'market', amount: 3 },
    });
    expect(sell.status).toBe(400);
    expect(sell.body.error).toBe('INSUFFICIENT_BALANCE');
    expect(sell.body.message).toContain('3 is held by open trades');
    const closed = await call<Trade>(t, 'POST', `/api/trades/${trade.id}/close`, { token: trader, body: {} });
    expect(closed.status).toBe(201);
    expect(closed.body).toMatchObject({ status: 'CLOSED', amount: 3, openAmount: 0 });
  });

  it('refuses a close larger than the position and one that would leave less than the market minimum', async () => {
    // DOT near 7 USDT; the paper market takes no order under 5 USDT.
    const trade = await open({ symbol: 'DOT/USDT', side: 'buy', amount: 2 });
    const closeBy = (amount: number) =>
      call<{ size: number; error: string; message: string }>(t, 'POST', `/api/positions/${trade.id}/close`, {
        token: trader,
        body: { amount },
      });
    const tooMuch = await closeBy(2.5);
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.message).toBe(
      'amount: 2.5 DOT is more than the position holds (2 DOT); leave it out to close all',
    );
    const price = trade.entryPrice!;
    const leavingDust = await closeBy(2 - 1 / price);
    expect(leavingDust.status).toBe(400);
    expect(leavingDust.body.error).toBe('VALIDATION_ERROR');
    const smallest = /leave at least ([\d.]+) DOT \(close at most ([\d.]+) DOT\)/.exec(
      leavingDust.body.message,
    );
    expect(smallest).not.toBeNull();
    expect(Number(smallest![1]) * price).toBeGreaterThanOrEqual(5 * 0.98);
    expect(Number(smallest![1]) + Number(smallest![2])).toBeCloseTo(2, 8);
    expect((await call<Trade>(t, 'GET', `/api/trades/${trade.id}`, { token: reader })).body).toMatchObject({
      status: 'OPEN',
      amount: 2,
    });
    const allowed = await closeBy(Number(smallest![2]));
    expect(allowed.status).toBe(201);
    expect(allowed.body.size).toBeCloseTo(Number(smallest![1]), 8);
  });

  it('closes a position below the market minimum as dust when its stop is reached, instead of failing for ever', async () => {
    const trade = await open({ symbol: 'LINK/USDT', side: 'buy', amount: 1 });
    // Left with 0.01 LINK (about 0.15 USDT): no exchange takes that in one order.
    await t.app
      .get(DataSource)
      .query(`UPDATE trades SET exit_amount = 0.99, exit_cost = 0 WHERE id = $1`, [trade.id]);
    await raiseStopAboveMarket(trade);
    const closed = await until(trade.id, 'CLOSED');
    expect(closed).toMatchObject({ status: 'CLOSED', closeReason: 'dust' });
    const orders = await call<{ items: Array<{ tradeId: string; intent: string }> }>(
      t,
      'GET',
      `/api/orders?tradeId=${trade.id}`,
      { token: reader },
    );
    expect(orders.body.items.map((order) => order.intent)).toEqual(['entry']);
  });

  it('refuses through PATCH the levels that POST refuses: a stop or target the price has already passed', async () => {
    const trade = await open({ symbol: 'LTC/USDT', side: 'buy', amount: 0.2, stopLoss: 1 });
    const patch = (body: Record<string, unknown>) =>
      call<Trade & { error: string; message: string }>(t, 'PATCH', `/api/trades/${trade.id}`, {
        token: trader,
        body,
      });
    const price = trade.currentPrice ?? trade.entryPrice!;
    const target = await patch({ takeProfit: price * 0.9 });
    expect(target.status).toBe(400);
    expect(target.body.message).toMatch(
      /^takeProfit: must be above the current price [\d.]+, or it would trigger at once$/,
    );
    const stop = await patch({ stopLoss: price * 1.1 });
    expect(stop.status).toBe(400);
    expect(stop.body.message).toMatch(
      /^stopLoss: must be below the current price [\d.]+, or it would trigger at once$/,
    );
    const unchanged = await call<Trade>(t, 'GET', `/api/trades/${trade.id}`, { token: reader });
    expect(unchanged.body).toMatchObject({ status: 'OPEN', stopLoss: 1, takeProfit: null });
    const valid = await patch({ stopLoss: price * 0.9, takeProfit: price * 1.1 });
    expect(valid.status).toBe(200);
    expect(valid.body.stopLoss).toBeCloseTo(price * 0.9, 6);
  });

  it('refuses bad trades with a 400 and leaves nothing behind', async () => {
    const count = async () =>
      Number(
        (await t.app.get(DataSource).query<Array<{ n: string }>>('SELECT count(*) AS n FROM trades'))[0].n,
      );
    const before = await count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ symbol: 'BTC/USDT', side: 'buy', amount: 0.01, stopLoss: 10_000_000 }, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'buy', amount: 0.01, takeProfit: 1 }, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'sell', amount: 0.01 }, 'VALIDATION_ERROR'],
      [{ symbol: 'BTC/USDT', side: 'buy', amount: 100 }, 'INSUFFICIENT_BALANCE'],
      [{ symbol: 'XXX/USDT', side: 'buy', amount: 1 }, 'INVALID_SYMBOL'],
      [{ symbol: 'BTC/USDT', side: 'buy', amount: 0.01, maxDcaAttempts: 99 }, 'VALIDATION_ERROR'],
    ];
    for (const [body, code] of cases) {
      const response = await call(t, 'POST', '/api/trades', { token: trader, body });
      expect({ body, status: response.status, code: response.body.error }).toEqual({
        body,
        status: 400,
        code,
      });
    }
    expect(await count()).toBe(before);
    expect(
      (await call(t, 'GET', '/api/trades/3f1b2c3d-0000-4000-8000-000000000000', { token: reader })).status,
    ).toBe(404);
  });
});

describe('position history (seed 000)', () => {
  let t: TestApp;
  let trader: string;
  let reader: string;

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_CONTROL: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
      // The scores read the hourly candles of the day before entry: some of them are in a day's backfill.
      MARKET_BACKFILL_DAYS: '1',
    });
    await t.app.get(MarketSimulationService).whenBackfilled();
    const admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records a closed position from elsewhere with its PnL and Fibonacci scores, and lists it', async () => {
    const now = Date.now();
    const body = {
      symbol: 'BTCUSDT',
      side: 'short',
      entryPrice: 50_000,
      exitPrice: 48_000,
      contracts: 0.5,
      fees: 10,
      entryTime: new Date(now - 6 * 3_600_000).toISOString(),
      exitTime: new Date(now - 3_600_000).toISOString(),
      exchange: 'bitget',
    };
    const added = await call<{ success: boolean; id: string; message: string }>(
      t,
      'POST',
      '/api/positions/history',
      {
        token: trader,
        body,
      },
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ success: true, message: 'Position added to history' });
    const listed = await call<{ items: Array<Record<string, unknown>>; count: number; limit: number }>(
      t,
      'GET',
      '/api/positions/history',
      { token: reader },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.limit).toBe(20);
    const position = listed.body.items.find((item) => item.id === added.body.id)!;
    expect(position).toMatchObject({
      symbol: 'BTC/USDT',
      side: 'short',
      entryPrice: 50_000,
      exitPrice: 48_000,
      contracts: 0.5,
      realizedPnl: 990, // (50,000 - 48,000) x 0.5 - 10
      source: 'import',
      exchange: 'bitget',
    });
    for (const score of ['entryHarmony', 'exitHarmony', 'fibonacciAlignment']) {
      expect(position[score]).toEqual(expect.any(Number));
      expect(position[score] as number).toBeGreaterThanOrEqual(0);
      expect(position[score] as number).toBeLessThanOrEqual(1);
    }
    const bad = await call(t, 'POST', '/api/positions/history', {
      token: trader,
      body: { ...body, exitTime: body.entryTime },
    });
    expect(bad.status).toBe(400);
    expect((await call(t, 'POST', '/api/positions/history', { token: reader, body })).status).toBe(403);
  });
});

describe('with trading disabled', () => {
  it('refuses new orders and trades with TRADING_DISABLED and says so in the status', async () => {
    const t = await startTestApp({ TRADING_ENABLED: 'false' });
    try {
      const admin = (await loginAdmin(t)).accessToken;
      const trader = (await createUser(t, admin, Role.CONTROL)).token;
      const order = await call(t, 'POST', '/api/orders', {
        token: trader,
        body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 },
      });
      expect([order.status, order.body.error]).toEqual([409, 'TRADING_DISABLED']);
      const trade = await call(t, 'POST', '/api/trades', {
        token: trader,
        body: { symbol: 'BTC/USDT', side: 'buy', amount: 0.001 },
      });
      expect([trade.status, trade.body.error]).toEqual([409, 'TRADING_DISABLED']);
      const status = await call<{ active: boolean; totalTrades: number }>(t, 'GET', '/api/trading/status', {
        token: trader,
      });
      expect(status.body).toMatchObject({ active: false, totalTrades: 0 });
    } finally {
      await t.close();
    }
  });
});
