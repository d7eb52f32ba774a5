import { Injectable } from '@nestjs/common';
import { CandleRepository } from '../market/candle.repository';
import { CandleSource } from '../market/candle-source';
import type { Candle } from '../market/market-types';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';

/** Share of a backtest job's progress spent fetching an exchange's candles before the replay. */
export const DOWNLOAD_SHARE = 50;
/** Share of a backtest job's progress spent reading the stored candles. */
export const LOAD_SHARE = 30;

/** Candles read in one query while loading a backtest (a cancel waits at most one read). */
const LOAD_CHUNK = 5000;

/** Told the share of the work done, from 0 to 1; a cancelled job's callback throws to stop the work. */
export type CandleProgress = (done: number) => Promise<void>;

/** The candles a backtest replays: fetched from an exchange into the store, then read back. */
@Injectable()
export class BacktestCandles {
  constructor(private readonly candles: CandleRepository) {}

  /**
   * Fetches the exchange's candles of the whole range into the store, symbol by symbol, reporting
   * progress; stops for a symbol when the exchange has no more (a pair listed after `from`).
   */
  async download(
    symbols: readonly string[],
    source: CandleSource,
    timeframe: Timeframe,
    from: number,
    through: number,
    progress: CandleProgress,
  ): Promise<void> {
    const expected = (through - from) / TIMEFRAME_MS[timeframe] + 1;
    for (const [index, symbol] of symbols.entries()) {
      let before = -1;
      for (;;) {
        const count =
          (await this.candles.coverage(source.key, [symbol], timeframe, from, through)).get(symbol)?.count ??
          0;
        await progress((index + count / expected) / symbols.length);
        if (count >= expected || count === before) break;
        before = count;
        await source.ensure([symbol], timeframe, from, through);
      }
    }
  }

  /** The stored candles of the range, symbol by symbol in chunks, reporting progress after each chunk. */
  async load(
    symbols: readonly string[],
    sourceKey: string,
    timeframe: Timeframe,
    from: number,
    through: number,
    progress: CandleProgress,
  ): Promise<Map<string, Candle[]>> {
    const chunk = LOAD_CHUNK * TIMEFRAME_MS[timeframe];
    const stored = new Map<string, Candle[]>();
    for (const [index, symbol] of symbols.entries()) {
      const candles: Candle[] = [];
      for (let start = from; start <= through; start += chunk) {
        const part = await this.candles.rangeMany(
          sourceKey,
          [symbol],
          timeframe,
          start,
          Math.min(through, start + chunk - 1),
        );
        candles.push(...(part.get(symbol) ?? []));
        await progress(
          (index + (Math.min(through, start + chunk) - from) / (through - from + 1)) / symbols.length,
        );
      }
      stored.set(symbol, candles);
    }
    return stored;
  }
}
