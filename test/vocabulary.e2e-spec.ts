import { Role } from '../src/platform/access/role';
import { call, createKey, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

/** Decimal places of a JSON number as printed. */
function places(value: number): number {
  return String(value).split('.')[1]?.length ?? 0;
}

/** One vocabulary across the API: names, identifiers, list shapes, last changes, rounding. */
describe('one vocabulary', () => {
  let t: TestApp;
  let admin: string;
  let trader: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_CONTROL: '100000', RATE_LIMIT_READ_ONLY: '100000' });
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    // Two bots, so the bot list has a second page to show.
    for (const name of ['vocabulary-a', 'vocabulary-b']) {
      const created = await call(t, 'POST', '/api/bots', {
        token: trader,
        body: { name, preset: 'breakout_v1', mode: 'paper' },
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers an order with amount (qty as its alias), its fills over HTTP, and an updatedAt no earlier than any other stamp', async () => {
    const placed = await call<{ id: string }>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'ETH/USDT', side: 'buy', type: 'market', amount: 0.37 },
    });
    expect(placed.status).toBe(201);
    const order = await call<{
      amount: number;
      qty: number;
      filled: number;
      fees: number;
      averagePrice: number;
      cost: number;
      updatedAt: string;
      submittedAt: string;
      filledAt: string;
      closedAt: string;
      fills: Array<{
        price: number;
        amount: number;
        cost: number;
        fee: number;
        feeCurrency: string;
        takerOrMaker: string;
        executedAt: string;
      }>;
    }>(t, 'GET', `/api/orders/${placed.body.id}`, { token: trader });
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({ amount: 0.37, qty: 0.37, filled: 0.37 });
    expect(order.body.fills.length).toBeGreaterThan(0);
    for (const fill of order.body.fills)
      expect(fill).toMatchObject({
        feeCurrency: 'USDT',
        takerOrMaker: 'taker',
        executedAt: expect.any(String),
      });
    const filled = order.body.fills.reduce((sum, fill) => sum + fill.amount, 0);
    expect(filled).toBeCloseTo(0.37, 8);
    expect(order.body.fills.reduce((sum, fill) => sum + fill.fee, 0)).toBeCloseTo(order.body.fees, 8);
    expect(places(order.body.averagePrice)).toBeLessThanOrEqual(8);
    const updated = Date.parse(order.body.updatedAt);
    for (const stamp of [order.body.submittedAt, order.body.filledAt, order.body.closedAt])
      expect(updated).toBeGreaterThanOrEqual(Date.parse(stamp));
  });

  it('answers a position with the canonical names beside the seed aliases, and a trade closed no later than its updatedAt', async () => {
    const opened = await call<{ id: string }>(t, 'POST', '/api/trades', {
      token: trader,
      body: { symbol: 'SOL/USDT', side: 'buy', amount: 1, stopLoss: 1 },
    });
    expect(opened.status).toBe(201);
    const positions = await call<{ items: Array<Record<string, unknown>> }>(t, 'GET', '/api/positions', {
      token: trader,
    });
    const position = positions.body.items.find((item) => item.id === opened.body.id)!;
    expect(position).toMatchObject({
      positionSide: 'long',
      side: 'long',
      amount: 1,
      size: 1,
      stopLoss: 1,
      sl: 1,
    });
    expect(position.entryPrice).toBe(position.entry);
    const closed = await call<{ updatedAt: string; closedAt: string }>(
      t,
      'POST',
      `/api/trades/${opened.body.id}/close`,
      { token: trader, body: {} },
    );
    expect(closed.status).toBe(201);
    expect(Date.parse(closed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(closed.body.closedAt));
  });

  it('answers id on bots (and no botId) and on API keys (keyId stays as an alias)', async () => {
    const bot = await call<{ id: string; botId?: string }>(t, 'POST', '/api/bots', {
      token: trader,
      body: { name: 'vocabulary', preset: 'breakout_v1', mode: 'paper' },
    });
    expect(bot.status).toBe(201);
    expect(bot.body.id).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(bot.body).not.toHaveProperty('botId');
    const listedBots = await call<{ items: Array<Record<string, unknown>> }>(t, 'GET', '/api/bots', {
      token: trader,
    });
    expect(listedBots.body.items.find((item) => item.id === bot.body.id)).not.toHaveProperty('botId');
    const key = await createKey(t, admin, { name: 'vocabulary', permissions: ['READ_ONLY'] });
    expect(key.id).toBe(key.keyId);
    const listed = await call<{ items: Array<{ id: string; keyId: string }> }>(
      t,
      'GET',
      `/api/keys/${key.keyId}`,
      {
        token: admin,
      },
    );
    expect(listed.body).toMatchObject({ id: key.keyId, keyId: key.keyId });
  });

  it.each(['/api/bots', '/api/presets', '/api/strategies'])(
    'pages %s with limit and offset',
    async (path) => {
      const all = await call<{ items: unknown[]; total: number; limit: number; offset: number }>(
        t,
        'GET',
        path,
        {
          token: trader,
        },
      );
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ limit: 50, offset: 0, total: all.body.items.length });
      expect(all.body.total).toBeGreaterThan(1);
      const second = await call<{ items: unknown[]; total: number; limit: number; offset: number }>(
        t,
        'GET',
        `${path}?limit=1&offset=1`,
        { token: trader },
      );
      expect(second.body).toMatchObject({ limit: 1, offset: 1, total: all.body.total });
      expect(second.body.items).toEqual(all.body.items.slice(1, 2));
      expect((await call(t, 'GET', `${path}?limit=0`, { token: trader })).status).toBe(400);
    },
  );

  it('means the same by count on every list that has one: the total over all pages', async () => {
    // Two open and two closed trades of its own, so a page of one is not all of them.
    const open = async () => {
      const trade = await call<{ id: string }>(t, 'POST', '/api/trades', {
        token: trader,
        body: { symbol: 'XRP/USDT', side: 'buy', amount: 20 },
      });
      expect(trade.status).toBe(201);
      return trade.body.id;
    };
    for (let i = 0; i < 2; i++) {
      const id = await open();
      expect((await call(t, 'POST', `/api/trades/${id}/close`, { token: trader, body: {} })).status).toBe(
        201,
      );
    }
    await open();
    await open();
    const imported = { symbol: 'BTCUSDT', side: 'long', entryPrice: 100, exitPrice: 110, contracts: 1 };
    for (let i = 0; i < 2; i++) {
      const added = await call(t, 'POST', '/api/positions/history', {
        token: trader,
        body: {
          ...imported,
          entryTime: new Date(Date.now() - (i + 2) * 3_600_000).toISOString(),
          exitTime: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(),
        },
      });
      expect(added.status).toBe(201);
    }
    for (const path of [
      '/api/trades/history?limit=1',
      '/api/trades/active?limit=1',
      '/api/positions/history?limit=1',
    ]) {
      const list = await call<{ count: number; total: number; items: unknown[] }>(t, 'GET', path, {
        token: trader,
      });
      expect([path, list.status, list.body.items.length]).toEqual([path, 200, 1]);
      expect(list.body.total).toBeGreaterThanOrEqual(2);
      expect(list.body.count).toBe(list.body.total);
    }
  });

  it('prints the order book spread and mid without float noise', async () => {
    for (const symbol of ['BTC-USDT', 'DOGE-USDT', 'POL-USDT']) {
      const book = await call<{ spread: number; mid: number; bids: number[][]; asks: number[][] }>(
        t,
        'GET',
        `/api/orderbook/${symbol}?depth=1`,
        { token: trader },
      );
      expect(places(book.body.spread)).toBeLessThanOrEqual(8);
      expect(places(book.body.mid)).toBeLessThanOrEqual(8);
      expect(book.body.spread).toBeCloseTo(book.body.asks[0][0] - book.body.bids[0][0], 8);
    }
  });
});
