import type { Candle } from '../market/market-types';
import type { ScannerConfig } from '../presets/preset-config';
import { HOURS_NEEDED, measure, QUARTERS_NEEDED, scoreAll } from '../scanner/scanner-metrics';
import type { BacktestSymbol } from './backtest-types';

// A module constant rather than the Math global in the replay's hot loop (see backtest-engine).
const math = Math;

const HOUR_MS = 3_600_000;
const QUARTER_MS = 900_000;

/** The scanner as a bot runs it, over a backtest's candles: which symbols are candidates, and their rank. */
export class ScannerReplay {
  private lastScanAt: number | null = null;
  private readonly hourPointers: Int32Array;
  private readonly quarterPointers: Int32Array;
  private ranks = new Map<number, number>();

  constructor(
    private readonly symbols: readonly BacktestSymbol[],
    private readonly scanner: { config: ScannerConfig; rangeCandles: number },
    private readonly span: number,
  ) {
    this.hourPointers = new Int32Array(symbols.length);
    this.quarterPointers = new Int32Array(symbols.length);
  }

  rankOf(index: number): number | undefined {
    return this.ranks.get(index);
  }

  /** Scans at this close when the interval has passed since the last scan (`pointers`: candles fed). */
  at(now: number, pointers: Int32Array): void {
    const { config, rangeCandles } = this.scanner;
    if (this.lastScanAt !== null && now - this.lastScanAt < config.scanIntervalSeconds * 1000) return;
    this.lastScanAt = now;
    const measured = [];
    const indexOf = new Map<string, number>();
    // As a bot reads them: the candles of the last N periods, so a gap leaves fewer, not older ones.
    const window = (series: readonly Candle[], end: number, count: number, span: number) =>
      series
        .slice(math.max(0, end - count), end)
        .filter((candle) => candle.openTime >= math.floor(now / span) * span - count * span);
    for (let index = 0; index < this.symbols.length; index++) {
      const { symbol, candles, hours = [], quarters = [] } = this.symbols[index];
      indexOf.set(symbol, index);
      const hoursTo = advance(hours, this.hourPointers, index, now, HOUR_MS);
      const quartersTo = advance(quarters, this.quarterPointers, index, now, QUARTER_MS);
      // The timeframe's candles fed so far have all closed by now.
      const scan = measure({
        symbol,
        hours: window(hours, hoursTo, HOURS_NEEDED, HOUR_MS),
        quarters: window(quarters, quartersTo, QUARTERS_NEEDED, QUARTER_MS),
        range: window(candles, pointers[index], rangeCandles, this.span),
      });
      if (scan) measured.push(scan);
    }
    const candidates = scoreAll(measured, config)
      .filter((scan) => scan.passed)
      .slice(0, config.maxCandidates);
    this.ranks = new Map(candidates.map((scan, rank) => [indexOf.get(scan.symbol)!, rank]));
  }
}

/** Moves a symbol's pointer past the candles closed by `now`; returns it (the end of the closed ones). */
function advance(
  candles: readonly Candle[],
  pointers: Int32Array,
  index: number,
  now: number,
  span: number,
): number {
  let pointer = pointers[index];
  while (pointer < candles.length && candles[pointer].openTime + span <= now) pointer++;
  pointers[index] = pointer;
  return pointer;
}
