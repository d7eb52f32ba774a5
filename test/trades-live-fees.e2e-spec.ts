import { Role } from '../src/platform/access/role';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { call, createUser, loginAdmin } from './support/auth-client';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { BNB_MARKET } from './support/fake-exchange/fake-venue';
import { startTestApp, TestApp } from './support/test-app';

interface TradeView {
  id: string;
  status: string;
  amount: number;
  entryAmount: number;
  fees: number;
  realizedPnl: number;
  closeReason: string | null;
}

const SECRET = 'live-fees-binance-secret-0123456789';

/** Live exits when the exchange takes its fee in the coin bought, or in BNB. */
describe('live trades with fees in the base coin or a third currency', () => {
  const fake = new FakeBinance('live-fees-binance-key-0001', SECRET);
  let t: TestApp;
  let trader: string;
  let accountId: string;

  beforeAll(async () => {
    fake.markets.set(BNB_MARKET.id, BNB_MARKET);
    await fake.start();
    t = await startTestApp(
      { RATE_LIMIT_ADMIN: '100000', RATE_LIMIT_CONTROL: '100000' },
      {
        exchange: {
          redirectApiTo: { binance: fake.baseUrl },
          rateLimitMs: 1,
          timeoutMs: 1000,
          retry: { attempts: 2, baseDelayMs: 1 },
        },
      },
    );
    const admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    const account = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: { exchangeId: 'binance', label: 'fees', apiKey: fake.apiKey, secret: SECRET },
    });
    expect(account.status).toBe(201);
    accountId = account.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
  });

  const open = async (symbol: string, amount: number, stopLoss: number) => {
    const created = await call<TradeView>(t, 'POST', '/api/trades', {
      token: trader,
      body: { symbol, side: 'buy', amount, stopLoss, accountId },
    });
    expect(created.status).toBe(201);
    return created.body;
  };
  const get = async (id: string) =>
    (await call<TradeView>(t, 'GET', `/api/trades/${id}`, { token: trader })).body;
  /** The trade once the stop-loss guard (every second) has closed it. */
  const closedAtStop = async (id: string) => {
    const deadline = Date.now() + 15_000;
    let trade = await get(id);
    while (trade.status !== 'CLOSED' && Date.now() < deadline) {
      await t.app.get(TradeGuard).check();
      await new Promise((resolve) => setTimeout(resolve, 200));
      trade = await get(id);
    }
    return trade;
  };

  it('holds what the account received when the buy fee is taken in the coin bought, and closes it at its stop', async () => {
    fake.chargeFees({ kind: 'received', rate: 0.001 });
    const trade = await open('BTC/USDT', 0.01, 59_000);
    // 0.01 BTC filled at 60,000, 0.00001 BTC kept by the exchange.
    expect(trade).toMatchObject({
      status: 'OPEN',
      amount: 0.00999,
      openAmount: 0.00999,
      entryAmount: 0.00999,
    });
    expect(trade.fees).toBeCloseTo(0.6, 8);
    expect(fake.balances.get('BTC')!.free).toBeCloseTo(0.00999, 10);

    fake.markets.get('BTCUSDT')!.price = 58_000;
    const closed = await closedAtStop(trade.id);
    expect(closed).toMatchObject({
      status: 'CLOSED',
      closeReason: 'stop_loss',
      amount: 0.00999,
      openAmount: 0,
    });
    expect(fake.balances.get('BTC')!.free).toBeCloseTo(0, 10);
    // Sold 0.00999 at 58,000 (579.42, less 0.57942 fee in USDT) for 600 spent.
    expect(closed.realizedPnl).toBeCloseTo(579.42 - 0.57942 - 600, 6);
    expect(closed.fees).toBeCloseTo(0.6 + 0.57942, 8);
    fake.markets.get('BTCUSDT')!.price = 60_000;
  });

  it("values a fee paid in BNB at BNB's own price, not the traded pair's", async () => {
    fake.chargeFees({ kind: 'BNB', rate: 0.001 });
    const bnbBefore = fake.balances.get('BNB')!.free;
    const trade = await open('ETH/USDT', 0.1, 2_900);
    // 300 USDT of ETH: a 0.3 USDT fee paid as 0.0005 BNB at 600 (at ETH's price it would be 1.5).
    expect(trade).toMatchObject({ status: 'OPEN', amount: 0.1, openAmount: 0.1 });
    expect(trade.fees).toBeCloseTo(0.3, 8);
    expect(bnbBefore - fake.balances.get('BNB')!.free).toBeCloseTo(0.0005, 10);

    fake.markets.get('ETHUSDT')!.price = 2_800;
    const closed = await closedAtStop(trade.id);
    expect(closed).toMatchObject({ status: 'CLOSED', closeReason: 'stop_loss', amount: 0.1, openAmount: 0 });
    // The fake states BNB fees to 8 decimals: 0.28 USDT is 0.00046667 BNB.
    expect(closed.fees).toBeCloseTo(0.3 + 0.28, 5);
    expect(closed.realizedPnl).toBeCloseTo(280 - 300 - 0.58, 5);
    fake.markets.get('ETHUSDT')!.price = 3_000;
  });
});
