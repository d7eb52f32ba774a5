import { anchorPull, DAY_MS, MINUTE_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from './simulated-market';
import type { Candle } from './market-types';
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

function excessKurtosis(values: number[]): number {
  const mu = mean(values);
  const variance = mean(values.map((value) => (value - mu) ** 2));
  return mean(values.map((value) => (value - mu) ** 4)) / variance ** 2 - 3;
}

/** Log returns over `step` minutes of a day's candles, open to open. */
function intradayReturns(candles: Candle[], step: number): number[] {
  const returns: number[] = [];
  for (let i = step; i < candles.length; i += step)
    returns.push(Math.log(candles[i].open / candles[i - step].open));
  return returns;
}

/** Pairs of (value, value `lag` later) within each series, pooled: a correlation of them is an autocorrelation. */
function lagged(series: number[][], lag: number): [number[], number[]] {
  const before: number[] = [];
  const after: number[] = [];
  for (const values of series)
    for (let i = lag; i < values.length; i++) {
      before.push(values[i - lag]);
      after.push(values[i]);
    }
  return [before, after];
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
    const tick = SIMULATED_UNIVERSE[ETH].tickSize;
    for (const c of candles)
      for (const price of [c.open, c.high, c.low, c.close])
        expect(Math.abs(price / tick - Math.round(price / tick))).toBeLessThan(1e-6);
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

  it('has volume surges and regimes of different volatility and random lengths', () => {
    const volumes = market.dayCandles(BTC, 500).map((c) => c.volume * c.close);
    const median = [...volumes].sort((a, b) => a - b)[720];
    expect(Math.max(...volumes) / median).toBeGreaterThan(3);
    const regimes = Array.from({ length: 400 }, (_, day) => market.regimeOf(day));
    expect(new Set(regimes.slice(0, 60))).toEqual(
      new Set(['trend_up', 'trend_down', 'range', 'high_volatility']),
    );
    // A regime ends after 2 to 8 days, not on a calendar's grid.
    const lengths: number[] = [];
    let start = 0;
    for (let day = 1; day < regimes.length; day++)
      if (regimes[day] !== regimes[day - 1]) {
        lengths.push(day - start);
        start = day;
      }
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(8);
    expect(new Set(lengths).size).toBeGreaterThanOrEqual(6);
  });

  it('pulls a price towards its drifting anchor only when it strays far from it', () => {
    expect(anchorPull(0)).toBeCloseTo(0, 12);
    expect(anchorPull(Math.log(2))).toBeCloseTo(0, 12);
    expect(anchorPull(-Math.log(2))).toBeCloseTo(0, 12);
    expect(anchorPull(Math.log(4))).toBeLessThan(0);
    expect(anchorPull(-Math.log(4))).toBeGreaterThan(0);
  });

  describe('statistical properties (8 pairs x 40 days of minutes)', () => {
    const pairs = [BTC, ETH, 2, 4, 6, 9, 12, 19];
    const days = Array.from({ length: 40 }, (_, i) => 300 + i);
    const candlesByPairDay = pairs.flatMap((pair) => days.map((day) => market.dayCandles(pair, day)));

    it('has fat tails: minute returns with an excess kurtosis above 3', () => {
      const btcMinutes = days.flatMap((day) => intradayReturns(market.dayCandles(BTC, day), 1));
      expect(excessKurtosis(btcMinutes)).toBeGreaterThan(3);
    });

    it('clusters volatility within a day: a large move is followed by large moves, fading over the hour', () => {
      // Each day's sizes from their own mean: days of calm and volatile regimes would correlate anyway.
      const moves = candlesByPairDay.map((candles) => {
        const sizes = intradayReturns(candles, 1).map(Math.abs);
        const usual = mean(sizes);
        return sizes.map((size) => size - usual);
      });
      const soon = correlation(...lagged(moves, 1));
      const anHourOn = correlation(...lagged(moves, 60));
      expect(soon).toBeGreaterThan(0.05);
      expect(anHourOn).toBeLessThan(soon / 2);
    });

    it('leaves no exploitable autocorrelation in 1-minute, 15-minute or hourly returns', () => {
      for (const step of [1, 15, 60]) {
        const returns = candlesByPairDay.map((candles) => intradayReturns(candles, step));
        expect(Math.abs(correlation(...lagged(returns, 1)))).toBeLessThan(0.05);
      }
    });

    it('moves BTC and ETH together by the hour', () => {
      const hourly = (pair: number) =>
        days.flatMap((day) => intradayReturns(market.dayCandles(pair, day), 60));
      expect(correlation(hourly(BTC), hourly(ETH))).toBeGreaterThan(0.6);
    });

    it('trades more on jumps and in the volatile minutes after them', () => {
      let relativeVolume = 0;
      let minutesAfter = 0;
      for (const candles of candlesByPairDay) {
        const returns = candles.map((c) => Math.log(c.close / c.open));
        const usual = Math.sqrt(mean(returns.map((r) => r * r)));
        const median = candles.map((c) => c.volume).sort((a, b) => a - b)[720];
        for (let m = 0; m < candles.length - 10; m++)
          if (Math.abs(returns[m]) > 8 * usual)
            for (let after = m + 1; after <= m + 10; after++) {
              relativeVolume += candles[after].volume / median;
              minutesAfter++;
            }
      }
      expect(minutesAfter).toBeGreaterThan(100);
      expect(relativeVolume / minutesAfter).toBeGreaterThan(2);
    });
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
