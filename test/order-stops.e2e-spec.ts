import { Role } from '../src/platform/access/role';
import { PaperExchangeService } from '../src/exchange/paper/paper-exchange.service';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

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
