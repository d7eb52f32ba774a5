import { DAY_MS, MINUTE_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from './simulated-market';
import { SIMULATED_UNIVERSE } from './simulated-universe';

const BTC = 0;
const ETH = 1;

/** Daily log returns from the day opens (a day's last close is the next day's open, tested below). */
function dailyLogReturns(market: SimulatedMarket, pair: number, firstDay: number, days: number): number[] {
  const returns: number[] = [];
  for (let day = firstDay; day < firstDay + days; day++)
    returns.push(Math.log(market.dayOpen(pair, day + 1) / market.dayOpen(pair, day)));
  return returns;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function covariance(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  return a.reduce((sum, value, i) => sum + (value - ma) * (b[i] - mb), 0) / (a.length - 1);
}

function correlation(a: number[], b: number[]): number {
  return covariance(a, b) / Math.sqrt(covariance(a, a) * covariance(b, b));
}

describe('SimulatedMarket', () => {
  const market = new SimulatedMarket(42, SIMULATED_UNIVERSE);
  const start = SIMULATION_EPOCH_MS + 600 * DAY_MS;

  it('is a pure function of seed, pair and minute', () => {
    const again = new SimulatedMarket(42, SIMULATED_UNIVERSE);
    const time = start + 12_345 * MINUTE_MS;
    // Asking in another order, or after other days, changes nothing.
    again.dayCandles(3, 900);
    expect(again.candle(BTC, time)).toEqual(market.candle(BTC, time));
    expect(again.candles(ETH, time, time + 90 * MINUTE_MS)).toEqual(
      market.candles(ETH, time, time + 90 * MINUTE_MS),
    );
    const otherSeed = new SimulatedMarket(43, SIMULATED_UNIVERSE);
    expect(otherSeed.candle(BTC, time).close).not.toBe(market.candle(BTC, time).close);
  });

  it('produces continuous, well-formed candles across day boundaries', () => {
    const candles = market.candles(ETH, start + DAY_MS - 30 * MINUTE_MS, start + DAY_MS + 30 * MINUTE_MS);
    expect(candles).toHaveLength(60);
    for (let i = 0; i < candles.length; i++) {
      const c = candles[i];
      expect(c.openTime).toBe(start + DAY_MS - 30 * MINUTE_MS + i * MINUTE_MS);
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.low).toBeGreaterThan(0);
      expect(c.volume).toBeGreaterThan(0);
    }
    // Each minute opens where the one before closed.
    for (let i = 1; i < candles.length; i++) expect(candles[i].open).toBeCloseTo(candles[i - 1].close, 9);
  });

  it("a day's minutes run from its open to the next day's open", () => {
    for (const day of [0, 17, 600]) {
      const candles = market.dayCandles(ETH, day);
      expect(candles[0].open).toBeCloseTo(market.dayOpen(ETH, day), 9);
      expect(candles[1439].close / market.dayOpen(ETH, day + 1)).toBeCloseTo(1, 12);
    }
  });

  it('BTC and ETH daily returns correlate above 0.5, and betas stay between 0.6 and 1.5', () => {
    const days = 200;
    const btc = dailyLogReturns(market, BTC, 400, days);
    expect(correlation(btc, dailyLogReturns(market, ETH, 400, days))).toBeGreaterThan(0.5);
    for (const pair of [2, 5, 12, 19]) {
      const own = dailyLogReturns(market, pair, 400, days);
      const beta = covariance(own, btc) / covariance(btc, btc);
      expect(beta).toBeGreaterThan(0.5);
      expect(beta).toBeLessThan(1.7);
      expect(correlation(own, btc)).toBeGreaterThan(0.3);
    }
  });

  it('keeps prices plausible over years and volatility crypto-like', () => {
    for (let pair = 0; pair < SIMULATED_UNIVERSE.length; pair++) {
      const price = market.candle(pair, SIMULATION_EPOCH_MS + 1000 * DAY_MS).close;
      const anchor = SIMULATED_UNIVERSE[pair].anchorPrice;
      expect(price / anchor).toBeGreaterThan(0.05);
      expect(price / anchor).toBeLessThan(20);
    }
    const btc = dailyLogReturns(market, BTC, 100, 200);
    const dailyVol = Math.sqrt(covariance(btc, btc));
    expect(dailyVol).toBeGreaterThan(0.01);
    expect(dailyVol).toBeLessThan(0.08);
  });

  it('has volume surges and regimes of different volatility', () => {
    const volumes = market.dayCandles(BTC, 500).map((c) => c.volume * c.close);
    const median = [...volumes].sort((a, b) => a - b)[720];
    expect(Math.max(...volumes) / median).toBeGreaterThan(3);
    const regimes = new Set(Array.from({ length: 60 }, (_, day) => market.regimeOf(day)));
    expect(regimes).toEqual(new Set(['trend_up', 'trend_down', 'range', 'high_volatility']));
  });

  it('gives every pair a price step and amount step fitting its price', () => {
    const btc = SIMULATED_UNIVERSE[BTC];
    expect(btc.tickSize).toBeCloseTo(0.1, 12);
    expect(btc.stepSize).toBeCloseTo(0.00001, 12);
    for (const pair of SIMULATED_UNIVERSE) {
      expect(pair.tickSize / pair.anchorPrice).toBeLessThan(1e-3);
      expect(pair.stepSize * pair.anchorPrice).toBeLessThanOrEqual(1);
    }
  });
});
