import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

interface PlanOrder {
  index: number;
  deviation: number;
  price: number;
  amount: number;
  volume: number;
  cost: number;
  averageEntry: number;
  takeProfitPrice: number;
}
interface Plan {
  symbol: string;
  price: number;
  priceStep: number;
  amountStep: number;
  orders: PlanOrder[];
  totalCapital: number;
  totalCost: number;
  maxDeviation: number;
  freeBalance: number;
  fundable: boolean;
  settings: Record<string, unknown>;
}

describe('DCA (/api/dca)', () => {
  let t: TestApp;
  let reader: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_READ_ONLY: '100000' });
    const admin = (await loginAdmin(t)).accessToken;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const plan = (query: string) => call<Plan>(t, 'GET', `/api/dca/plan?${query}`, { token: reader });

  it('plans the ladder of the formula at the current price, to the tick and step, with its total capital', async () => {
    const response = await plan(
      'symbol=BTC/USDT&baseOrderVolume=10&safetyOrderVolume=20&maxSafetyOrders=5&priceDeviation=1.5&stepScale=1.2&volumeScale=1.5&takeProfit=2',
    );
    expect(response.status).toBe(200);
    const { price, orders, priceStep, amountStep } = response.body;
    const toTick = (value: number) => Math.round(value / priceStep) * priceStep;
    const downToStep = (value: number) => Math.floor(value / amountStep + 1e-9) * amountStep;
    expect(price).toBeGreaterThan(0);
    expect(orders).toHaveLength(6);
    const deviations = [0, 1.5, 3.3, 5.46, 8.052, 11.1624];
    const volumes = [10, 20, 30, 45, 67.5, 101.25];
    orders.forEach((order, n) => {
      expect(order.index).toBe(n);
      expect(order.deviation).toBeCloseTo(deviations[n], 6);
      expect(order.price).toBeCloseTo(toTick(price * (1 - deviations[n] / 100)), 6);
      expect(order.volume).toBeCloseTo(volumes[n], 8);
      expect(order.amount).toBeCloseTo(downToStep(volumes[n] / order.price), 8);
      expect(order.cost).toBeCloseTo(order.amount * order.price, 6);
    });
    expect(response.body.totalCapital).toBe(10 + (20 * (1.5 ** 5 - 1)) / 0.5);
    expect(response.body.maxDeviation).toBeCloseTo(11.1624, 6);
    const amount = orders.reduce((sum, order) => sum + order.amount, 0);
    const cost = orders.reduce((sum, order) => sum + order.cost, 0);
    expect(orders[5].averageEntry).toBeCloseTo(cost / amount, 4);
    expect(Math.abs(orders[5].takeProfitPrice - (cost / amount) * 1.02)).toBeLessThanOrEqual(
      priceStep / 2 + 1e-6,
    );
    expect(response.body).toMatchObject({ freeBalance: 10000, fundable: true });
  });

  it('fills absent settings from the dca runtime settings, says when the balance cannot fund the ladder, and refuses bad input', async () => {
    const defaults = await plan('symbol=ETH/USDT');
    expect(defaults.status).toBe(200);
    expect(defaults.body.settings).toMatchObject({
      baseOrderVolume: 100,
      safetyOrderVolume: 100,
      maxSafetyOrders: 5,
      priceDeviation: 2,
      volumeScale: 1.5,
      stepScale: 1,
      takeProfitType: 'total',
      volumeType: 'quote',
    });
    const tooBig = await plan(
      'symbol=ETH/USDT&baseOrderVolume=1000&safetyOrderVolume=1000&maxSafetyOrders=10&volumeScale=2',
    );
    expect(tooBig.body).toMatchObject({ fundable: false, totalCapital: 1000 + 1000 * 1023 });
    const percent = await plan(
      'symbol=ETH/USDT&volumeType=percent&baseOrderVolume=1&safetyOrderVolume=2&maxSafetyOrders=1',
    );
    expect(percent.body.orders.map((order) => order.volume)).toEqual([100, 200]);
    for (const bad of [
      'symbol=ETH/USDT&volumeScale=0',
      'symbol=ETH/USDT&maxSafetyOrders=201',
      'symbol=NOPE/USDT',
      'volumeScale=1',
    ])
      expect((await plan(bad)).status).toBe(400);
    expect((await call(t, 'GET', '/api/dca/plan?symbol=BTC/USDT')).status).toBe(401);
  });
});
