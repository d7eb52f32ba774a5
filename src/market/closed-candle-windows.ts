import type { Candle } from './market-types';
import { Timeframe, TIMEFRAME_MS } from './timeframes';

/** Reads stored candles of several symbols with open times in [from, to], oldest first per symbol. */
export type CandleRangeReader = (
  sourceKey: string,
  symbols: readonly string[],
  timeframe: Timeframe,
  from: number,
  to: number,
) => Promise<Map<string, Candle[]>>;

interface Window {
  /** The open time after the window's newest candle: the window ends before it. */
  end: number;
  candles: Candle[];
}

/** Candles kept at most (~50 MB); the oldest windows are forgotten first, and read again when asked. */
const MAX_KEPT_CANDLES = 500_000;

/**
 * The last `count` closed candles of each symbol, read incrementally: a stored candle never changes
 * (inserts keep an existing row), so a window read once only needs the candles that closed since.
 * A window with a gap (a candle not stored yet) is not kept: the next read asks for all of it again,
 * so a backfill that fills the gap later is seen.
 */
export class ClosedCandleWindows {
  private readonly windows = new Map<string, Window>();
  private kept = 0;

  constructor(private readonly read: CandleRangeReader) {}

  /** Per symbol, the `count` candles with open times in [end - count·span, end - span], oldest first. */
  async last(
    sourceKey: string,
    symbols: readonly string[],
    timeframe: Timeframe,
    count: number,
    end: number,
  ): Promise<Map<string, Candle[]>> {
    const span = TIMEFRAME_MS[timeframe];
    const first = end - count * span;
    // Windows of different lengths are kept apart: a shorter one cannot answer for a longer one.
    const keyOf = (symbol: string) => `${sourceKey}|${timeframe}|${count}|${symbol}`;
    // Each symbol needs the candles after its kept window, or all of them; one read covers them all.
    let from = end;
    const kept = new Map<string, Window>();
    for (const symbol of symbols) {
      const window = this.windows.get(keyOf(symbol));
      if (window && window.end <= end && window.end > first) {
        kept.set(symbol, window);
        from = Math.min(from, window.end);
      } else {
        from = first;
      }
    }
    const fresh =
      from < end
        ? await this.read(sourceKey, symbols, timeframe, from, end - span)
        : new Map<string, Candle[]>();
    const result = new Map<string, Candle[]>();
    for (const symbol of symbols) {
      const window = kept.get(symbol);
      const added = (fresh.get(symbol) ?? []).filter((candle) => candle.openTime >= (window?.end ?? first));
      const candles = [...(window?.candles ?? []), ...added].filter((candle) => candle.openTime >= first);
      result.set(symbol, candles.slice());
      const key = keyOf(symbol);
      this.forget(key);
      if (candles.length === count) {
        this.windows.set(key, { end, candles });
        this.kept += count;
      }
    }
    while (this.kept > MAX_KEPT_CANDLES) this.forget(this.windows.keys().next().value!);
    return result;
  }

  private forget(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    this.windows.delete(key);
    this.kept -= window.candles.length;
  }
}
