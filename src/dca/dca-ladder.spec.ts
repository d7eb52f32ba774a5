import { buildLadder, cumulativeDeviation, maxCapital } from './dca-ladder';

const settings = {
  baseOrderVolume: 10,
  safetyOrderVolume: 20,
  volumeType: 'quote' as const,
  maxSafetyOrders: 5,
  priceDeviation: 1.5,
  volumeScale: 1.5,
  stepScale: 1.2,
  takeProfit: 2,
  takeProfitType: 'total' as const,
};
const btc = { priceStep: '0.01', amountStep: '0.00001' };

describe('DCA ladder', () => {
  it('follows the martingale formulas: D_n = d(s^n - 1)/(s - 1), SO v^(n-1), base + SO (v^N - 1)/(v - 1)', () => {
    expect([1, 2, 3, 4, 5].map((n) => cumulativeDeviation(1.5, 1.2, n).toFixed(6))).toEqual([
      '1.500000',
      '3.300000',
      '5.460000',
      '8.052000',
      '11.162400',
    ]);
    expect(cumulativeDeviation(2, 1, 3)).toBe(6);
    expect(maxCapital(10, 20, 1.5, 5)).toBeCloseTo(10 + (20 * (1.5 ** 5 - 1)) / 0.5, 10);
    expect(maxCapital(10, 20, 1, 5)).toBe(110);
  });

  it('places each order at its price to the tick and its size down to the step, with the average and take profit filled down to it', () => {
    const ladder = buildLadder(settings, '50000', btc);
    expect(ladder.orders.map((order) => order.price)).toEqual([
      '50000',
      '49250',
      '48350',
      '47270',
      '45974',
      '44418.8',
    ]);
    expect(ladder.orders.map((order) => order.volume)).toEqual([10, 20, 30, 45, 67.5, 101.25]);
    // 20 / 49250 = 0.000406..., down to the step.
    expect(ladder.orders.map((order) => order.amount)).toEqual([
      '0.0002',
      '0.0004',
      '0.00062',
      '0.00095',
      '0.00146',
      '0.00227',
    ]);
    expect(ladder.totalCapital).toBe(273.75);
    expect(ladder.maxDeviation).toBe(11.1624);
    const cost = ladder.orders.reduce((sum, order) => sum + Number(order.amount) * Number(order.price), 0);
    expect(Number(ladder.totalCost)).toBeCloseTo(cost, 8);
    const last = ladder.orders[5];
    const amount = ladder.orders.reduce((sum, order) => sum + Number(order.amount), 0);
    expect(Number(last.averageEntry)).toBeCloseTo(cost / amount, 6);
    expect(Number(last.takeProfitPrice)).toBeCloseTo(Math.round((cost / amount) * 1.02 * 100) / 100, 2);
  });

  it('targets the base order profit alone with takeProfitType base, and sizes in base with volumeType base', () => {
    const base = buildLadder({ ...settings, takeProfitType: 'base', maxSafetyOrders: 1 }, '50000', btc);
    const [first, second] = base.orders;
    expect(first.takeProfitPrice).toBe('51000');
    // (cost of both + 2 % of the base order's cost) / amount of both.
    const cost = 0.0002 * 50000 + 0.0004 * 49250;
    expect(Number(second.takeProfitPrice)).toBeCloseTo((cost + 0.02 * 10) / 0.0006, 2);
    const inBase = buildLadder(
      {
        ...settings,
        volumeType: 'base',
        baseOrderVolume: 0.001,
        safetyOrderVolume: 0.002,
        maxSafetyOrders: 2,
      },
      '50000',
      btc,
    );
    expect(inBase.orders.map((order) => order.amount)).toEqual(['0.001', '0.002', '0.003']);
    expect(inBase.totalCapital).toBe(300);
  });
});
