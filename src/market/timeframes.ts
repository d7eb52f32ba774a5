import type { Candle } from './market-types';

// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/**
 * Candles of a longer timeframe from consecutive shorter ones (1m into 5m, 1h, ...). Only complete
 * buckets are returned: a bucket missing any of its minutes is left out rather than built wrong.
 */
export function aggregateCandles(candles: readonly Candle[], sourceMs: number, targetMs: number): Candle[] {
  const perBucket = targetMs / sourceMs;
  const out: Candle[] = [];
  let bucket: Candle | undefined;
  let count = 0;
  for (const candle of candles) {
    const bucketStart = math.floor(candle.openTime / targetMs) * targetMs;
    if (!bucket || bucket.openTime !== bucketStart) {
      if (bucket && count === perBucket) out.push(bucket);
      bucket = { ...candle, openTime: bucketStart };
      count = 1;
      continue;
    }
    bucket.high = math.max(bucket.high, candle.high);
    bucket.low = math.min(bucket.low, candle.low);
    bucket.close = candle.close;
    bucket.volume += candle.volume;
    count++;
  }
  if (bucket && count === perBucket) out.push(bucket);
  return out;
}
