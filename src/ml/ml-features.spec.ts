import { SimulatedMarket } from '../market/simulated-market';
import { SIMULATED_UNIVERSE } from '../market/simulated-universe';
import { aggregateCandles } from '../market/timeframes';
import { buildDataset, factorReturns } from './ml-dataset';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureStream, HIGHER_TIMEFRAME_FACTOR } from './ml-features';

const QUARTER = 900_000;
const DAY = 86_400_000;
const market = new SimulatedMarket(11, SIMULATED_UNIVERSE);
const start = Date.UTC(2026, 0, 5);
const quarters = (index: number, days: number) =>
  aggregateCandles(market.candles(index, start, start + days * DAY), 60_000, QUARTER);
const btc = quarters(0, 4);
const eth = quarters(1, 4);

describe('FeatureStream', () => {
  it('says nothing until its longest window is full, then the named features, all finite', () => {
    const stream = new FeatureStream(QUARTER);
    const btcReturns = factorReturns(btc);
    const out = eth.map((candle) => stream.update(candle, btcReturns.get(candle.openTime) ?? null));
    const first = out.findIndex((features) => features !== null);
    expect(first).toBeGreaterThanOrEqual(96);
    expect(first).toBeLessThan(130);
    expect(out.slice(0, first).every((features) => features === null)).toBe(true);
    for (const features of out.slice(first)) {
      expect(features).toHaveLength(FEATURE_COUNT);
      expect([...features!].every(Number.isFinite)).toBe(true);
    }
    expect(FEATURE_NAMES).toHaveLength(FEATURE_COUNT);
  });

  it('reads no candle after the one it is given: the same features whatever comes later', () => {
    const whole = buildDataset(
      new Map([
        ['BTC/USDT', btc],
        ['ETH/USDT', eth],
      ]),
      QUARTER,
      { kUp: 2, kDown: 2, horizon: 8 },
    );
    // The last day changed: the features of every sample before it stay as they were.
    const changed = eth.map((candle, i) =>
      i >= eth.length - 96 ? { ...candle, close: candle.close * 1.1, high: candle.high * 1.1 } : candle,
    );
    const altered = buildDataset(
      new Map([
        ['BTC/USDT', btc],
        ['ETH/USDT', changed],
      ]),
      QUARTER,
      { kUp: 2, kDown: 2, horizon: 8 },
    );
    const cutoff = eth[eth.length - 96].openTime;
    let compared = 0;
    for (let row = 0; row < whole.labels.length; row++) {
      if (whole.times[row] > cutoff || whole.symbolIndex[row] !== 1) continue;
      const at = altered.times.findIndex(
        (time, i) => time === whole.times[row] && altered.symbolIndex[i] === 1,
      );
      expect(altered.features.subarray(at * FEATURE_COUNT, (at + 1) * FEATURE_COUNT)).toEqual(
        whole.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT),
      );
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('takes the higher timeframe only from its closed candles: it changes at the last candle of each', () => {
    const stream = new FeatureStream(QUARTER);
    const higher = FEATURE_NAMES.indexOf('htf_rsi_14');
    const seen: Array<{ openTime: number; value: number }> = [];
    for (const candle of eth) {
      const features = stream.update(candle, 0);
      if (features) seen.push({ openTime: candle.openTime, value: features[higher] });
    }
    const closesHigher = (openTime: number) =>
      (openTime + QUARTER) % (HIGHER_TIMEFRAME_FACTOR * QUARTER) === 0;
    const changedMidway = seen.filter(
      (row, i) => i > 0 && !closesHigher(row.openTime) && row.value !== seen[i - 1].value,
    );
    expect(changedMidway).toEqual([]);
    expect(new Set(seen.map((row) => row.value)).size).toBeGreaterThan(
      seen.length / HIGHER_TIMEFRAME_FACTOR - 2,
    );
  });

  it('gives BTC/USDT a correlation and a beta of 1 to itself', () => {
    const stream = new FeatureStream(QUARTER);
    const returns = factorReturns(btc);
    let last: Float64Array | null = null;
    for (const candle of btc) last = stream.update(candle, returns.get(candle.openTime) ?? null) ?? last;
    expect(last![FEATURE_NAMES.indexOf('btc_correlation_96')]).toBeCloseTo(1, 9);
    expect(last![FEATURE_NAMES.indexOf('btc_beta_96')]).toBeCloseTo(1, 9);
  });
});
