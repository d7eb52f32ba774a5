import type { Candle } from './market-types';
import { aggregateCandles, TIMEFRAME_MS } from './timeframes';

function minute(
  openTime: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): Candle {
  return { openTime, open, high, low, close, volume };
}

describe('aggregateCandles', () => {
  const base = Date.UTC(2025, 0, 1, 10, 0);
  const m = (i: number) => base + i * 60_000;

  it('builds 5m candles: first open, highest high, lowest low, last close, summed volume', () => {
    const candles = [
      minute(m(0), 10, 11, 9.5, 10.5, 1),
      minute(m(1), 10.5, 12, 10, 11, 2),
      minute(m(2), 11, 11.5, 8, 9, 3),
      minute(m(3), 9, 9.5, 8.5, 9.2, 4),
      minute(m(4), 9.2, 10, 9, 9.8, 5),
    ];
    expect(aggregateCandles(candles, TIMEFRAME_MS['1m'], TIMEFRAME_MS['5m'])).toEqual([
      { openTime: m(0), open: 10, high: 12, low: 8, close: 9.8, volume: 15 },
    ]);
  });

  it('leaves out incomplete buckets at either end and does not touch its input', () => {
    const candles = Array.from({ length: 12 }, (_, i) => minute(m(i + 3), 1, 2, 0.5, 1.5, 1));
    const copy = structuredClone(candles);
    const fives = aggregateCandles(candles, TIMEFRAME_MS['1m'], TIMEFRAME_MS['5m']);
    expect(fives.map((c) => c.openTime)).toEqual([m(5), m(10)]);
    expect(candles).toEqual(copy);
  });
});
