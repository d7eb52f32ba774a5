import type { Candle } from '../market/market-types';
import { BUILTIN_PRESETS } from '../presets/builtin-presets';
import { measure, scoreAll } from './scanner-metrics';

const HOUR = 3_600_000;

function candles(count: number, make: (index: number) => Partial<Candle>, span = HOUR): Candle[] {
  return Array.from({ length: count }, (_, index) => ({
    openTime: index * span,
    open: 100,
    high: 101,
    low: 99,
    close: 100,
    volume: 10,
    ...make(index),
  }));
}

describe('scanner metrics', () => {
  it('measures the volume surge, quote volume, ATR %, volatility and range levels from the candles', () => {
    const hours = candles(25, (index) => ({ volume: index === 24 ? 30 : 10, close: index % 2 ? 101 : 100 }));
    const quarters = candles(40, () => ({ high: 102, low: 98, close: 100 }), HOUR / 4);
    const range = candles(21, (index) => ({ high: 110 + index, low: 90 - index, close: 105 }), HOUR / 12);
    const scan = measure({ symbol: 'AAA/USDT', hours, quarters, range })!;
    expect(scan.metrics.volSurge1h).toBeCloseTo(3, 12);
    // The last 24 hours: 23 of volume 10 and one of 30, closing at 100 or 101.
    const quoteVolume = hours.slice(-24).reduce((sum, candle) => sum + candle.volume * candle.close, 0);
    expect(scan.metrics.quoteVolume24h).toBeCloseTo(quoteVolume, 9);
    // True range is 4 on every candle (no gaps), so ATR = 4 and ATR % = 4 / 100.
    expect(scan.metrics.atr15mPct).toBeCloseTo(0.04, 12);
    // Alternating log returns of +-ln(1.01) have a sample stdev of about ln(1.01) * sqrt(24/23).
    const step = Math.log(1.01);
    const returns = Array.from({ length: 23 }, (_, index) => (index % 2 === 0 ? -step : step));
    const mean = returns.reduce((a, b) => a + b, 0) / 23;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / 22);
    expect(scan.metrics.volatility).toBeCloseTo(sd * Math.sqrt(24), 12);
    // The range is the 20 candles before the newest: highs 110..129, lows 90..71.
    expect(scan.levels).toEqual({ high: 129, low: 71 });
    expect(scan.metrics.rangeProximity).toBeCloseTo((100 - 71) / (129 - 71), 12);
    expect(scan.metrics.oiDelta).toBeNull();
  });

  it('says nothing of a symbol without enough history', () => {
    expect(
      measure({ symbol: 'NEW/USDT', hours: candles(1, () => ({})), quarters: [], range: [] }),
    ).toBeUndefined();
  });

  it('scores by weighted percentile ranks over the metrics the market has, filters, and sorts', () => {
    const base = { price: 1, atr15mPct: 0.01, volatility: 0.02, rangeProximity: 0.5, oiDelta: null };
    const scans = [
      {
        symbol: 'A/USDT',
        metrics: { ...base, volSurge1h: 3, quoteVolume24h: 5e6 },
        levels: { high: 2, low: 1 },
      },
      {
        symbol: 'B/USDT',
        metrics: { ...base, volSurge1h: 2, quoteVolume24h: 5e6 },
        levels: { high: 2, low: 1 },
      },
      {
        symbol: 'C/USDT',
        metrics: { ...base, volSurge1h: 1, quoteVolume24h: 5e6 },
        levels: { high: 2, low: 1 },
      },
      {
        symbol: 'D/USDT',
        metrics: { ...base, volSurge1h: 9, quoteVolume24h: 10 },
        levels: { high: 2, low: 1 },
      },
    ];
    // breakout_v1 weighs volSurge 0.35 and oiDelta 0.2; spot has no open interest, so volSurge alone decides.
    const scored = scoreAll(scans, BUILTIN_PRESETS.breakout_v1.scannerConfig);
    expect(scored.map((scan) => [scan.symbol, scan.passed, scan.score])).toEqual(
      [
        ['A/USDT', true, 2 / 3],
        ['B/USDT', true, 1 / 3],
        ['C/USDT', true, 0],
        // The biggest surge, but too little volume for the liquidity filter.
        ['D/USDT', false, 1],
      ].map(([symbol, passed, score]) => [symbol, passed, Math.round((score as number) * 10_000) / 10_000]),
    );
    expect(scored[3].filters).toEqual({ liquidity: false, volatility: true, volumeSurge: true });
  });
});
