import { setTimeout as sleep } from 'node:timers/promises';
import { SerialQueue } from '../platform/async/serial-queue';
import { yieldToEventLoop } from '../platform/async/yield-to-event-loop';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config';
import { Clock } from '../platform/time/clock';
import { CandleBatchRow, CandleRepository } from './candle.repository';
import { DAY_MS, MINUTE_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from './simulated-market';
import type { Candle } from './market-types';
import { SimulatedQuotes } from './simulated-quotes';
import { SIMULATED_UNIVERSE } from './simulated-universe';
import { aggregateCandles, TIMEFRAME_MS, TIMEFRAMES } from './timeframes';
import { errorMessage } from '../platform/errors/error-message';

export const SIMULATED_EXCHANGE = 'simulated';

export type BackfillState = 'pending' | 'running' | 'done' | 'failed' | 'disabled';

export interface BackfillProgress {
  state: BackfillState;
  /** The 1-minute range being filled, ISO times. */
  from: string | null;
  to: string | null;
  /** Every symbol has every minute from this time to `to` (filled newest first); null before a day is whole. */
  completeFrom: string | null;
  symbols: number;
  totalCandles: number;
  storedCandles: number;
  percent: number;
  candlesPerSecond: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** A failed backfill is tried again after 5 s, then twice as late each time, at most a minute. */
const BACKFILL_RETRY_FIRST_MS = 5_000;
const BACKFILL_RETRY_MAX_MS = 60_000;

/**
 * Runs the embedded simulated market: after start-up, backfills MARKET_BACKFILL_DAYS of candles in the
 * background (resuming after what is already stored), then stores every completed minute, and the
 * higher timeframes it completes, as time goes on.
 */
@Injectable()
export class MarketSimulationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Market');
  readonly market: SimulatedMarket;
  readonly quotes: SimulatedQuotes;
  private stopped = false;
  private readonly stopping = new AbortController();
  private liveTimer: NodeJS.Timeout | undefined;
  private backfillTask: Promise<void> | undefined;
  private storedThrough = new Map<string, number>();
  private progressState: BackfillProgress;

  constructor(
    private readonly config: AppConfig,
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
  ) {
    this.market = new SimulatedMarket(config.market.seed, SIMULATED_UNIVERSE);
    this.quotes = new SimulatedQuotes(this.market);
    this.progressState = {
      state: config.market.simulation ? 'pending' : 'disabled',
      from: null,
      completeFrom: null,
      to: null,
      symbols: SIMULATED_UNIVERSE.length,
      totalCandles: 0,
      storedCandles: 0,
      percent: 0,
      candlesPerSecond: null,
      startedAt: null,
      finishedAt: null,
      error: null,
    };
  }

  get pairs() {
    return SIMULATED_UNIVERSE;
  }

  progress(): BackfillProgress {
    return { ...this.progressState };
  }

  onApplicationBootstrap(): void {
    if (!this.config.market.simulation) return;
    // After start-up returns, so the server is listening while history fills in.
    const timer = setTimeout(() => {
      this.backfillTask = this.backfillUntilDone().then(() => this.startLive());
    }, 50);
    timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.liveTimer) clearInterval(this.liveTimer);
    await this.backfillTask?.catch(() => undefined);
  }

  /** Resolves when the backfill has finished (for tests and tools). */
  async whenBackfilled(): Promise<BackfillProgress> {
    while (!this.backfillTask && this.progressState.state === 'pending' && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.backfillTask;
    return this.progress();
  }

  /**
   * A backfill that failed (the database went away) is tried again, going on from what it stored,
   * and live candles start only after it: they continue from the stored history, never leaving a gap.
   */
  private async backfillUntilDone(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      await this.backfill();
      if (this.progressState.state !== 'failed') return;
      const delayMs = Math.min(BACKFILL_RETRY_MAX_MS, BACKFILL_RETRY_FIRST_MS * 2 ** (attempt - 1));
      this.logger.warn(`backfill attempt ${attempt} failed; trying again in ${delayMs / 1000} s`);
      await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  /** The last whole minute that has ended. */
  private lastCompletedMinute(): number {
    return Math.floor(this.clock.nowMs() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  }

  /**
   * Fills the simulated market's history, newest day first, so charts and bots have recent candles
   * within seconds of a start; `completeFrom` in the progress says from when on the range is whole. A
   * day a symbol already has in full is skipped, so a backfill that stopped goes on where it was.
   */
  async backfill(): Promise<void> {
    const end = this.lastCompletedMinute() + MINUTE_MS;
    // N days: from 00:00 UTC N days ago. None: no history at all, live candles from now on.
    const days = this.config.market.backfillDays;
    const wanted =
      days === 0 ? end : Math.max(SIMULATION_EPOCH_MS, Math.floor((end - days * DAY_MS) / DAY_MS) * DAY_MS);
    const started = this.clock.nowMs();
    const symbols = this.pairs.map((pair) => pair.symbol);
    try {
      const stored = await this.candles.coverage(SIMULATED_EXCHANGE, symbols, '1m', wanted, end - MINUTE_MS);
      for (const [symbol, { newest }] of stored)
        this.storedThrough.set(symbol, Math.max(this.storedThrough.get(symbol) ?? 0, newest));
      const wantedPerSymbol = Math.max(0, (end - wanted) / MINUTE_MS);
      const total = symbols.reduce(
        (sum, symbol) => sum + Math.max(0, wantedPerSymbol - (stored.get(symbol)?.count ?? 0)),
        0,
      );
      Object.assign(this.progressState, {
        state: 'running',
        from: new Date(wanted).toISOString(),
        to: new Date(end).toISOString(),
        completeFrom: total === 0 ? new Date(wanted).toISOString() : null,
        totalCandles: total,
        storedCandles: 0,
        error: null,
        startedAt: new Date(started).toISOString(),
      });
      if (total > 0)
        this.logger.log(
          `backfilling ${total} one-minute candles of ${symbols.length} symbols from ${new Date(wanted).toISOString()}, newest first`,
        );
      let lastReport = started;
      const newestDay = Math.floor((end - MINUTE_MS) / DAY_MS) * DAY_MS;
      for (let dayStart = newestDay; dayStart >= wanted && total > 0 && !this.stopped; dayStart -= DAY_MS) {
        const dayEnd = Math.min(end, dayStart + DAY_MS);
        const minutesOfDay = (dayEnd - dayStart) / MINUTE_MS;
        const have = await this.candles.coverage(
          SIMULATED_EXCHANGE,
          symbols,
          '1m',
          dayStart,
          dayEnd - MINUTE_MS,
        );
        for (const [index, pair] of this.pairs.entries()) {
          if (this.stopped) break;
          const missing = minutesOfDay - (have.get(pair.symbol)?.count ?? 0);
          if (missing <= 0) continue;
          await this.store(pair.symbol, this.market.candles(index, dayStart, dayEnd));
          this.progressState.storedCandles += missing;
          await yieldToEventLoop();
        }
        if (this.stopped) break;
        this.progressState.completeFrom = new Date(dayStart).toISOString();
        this.progressState.percent = Math.min(
          100,
          Math.round((this.progressState.storedCandles / total) * 1000) / 10,
        );
        const elapsed = (this.clock.nowMs() - started) / 1000;
        this.progressState.candlesPerSecond =
          elapsed > 0 ? Math.round(this.progressState.storedCandles / elapsed) : null;
        if (this.clock.nowMs() - lastReport > 5000) {
          lastReport = this.clock.nowMs();
          this.logger.log(
            `backfill ${this.progressState.percent}% (${this.progressState.storedCandles}/${total} candles), complete from ${this.progressState.completeFrom}`,
          );
        }
      }
      if (this.stopped) return;
      Object.assign(this.progressState, {
        state: 'done',
        percent: 100,
        completeFrom: new Date(wanted).toISOString(),
        finishedAt: new Date(this.clock.nowMs()).toISOString(),
      });
      if (total > 0)
        this.logger.log(
          `backfill done: ${this.progressState.storedCandles} candles in ${((this.clock.nowMs() - started) / 1000).toFixed(1)} s`,
        );
    } catch (error) {
      Object.assign(this.progressState, {
        state: 'failed',
        error: errorMessage(error),
      });
      this.logger.error(`backfill failed: ${this.progressState.error}`);
    }
  }

  /** Every second: store the minutes that completed since the last store. */
  private startLive(): void {
    if (this.stopped || !this.config.market.liveCandles) return;
    this.liveTimer = setInterval(() => {
      void this.storeCompletedMinutes().catch((error: unknown) =>
        this.logger.warn(`live candles not stored: ${String(error)}`),
      );
    }, 1000);
    this.liveTimer.unref();
  }

  private readonly storing = new SerialQueue();

  /**
   * Stores the minutes that completed since the last store. Calls queue behind each other, so when
   * one returns, every minute completed at its call is stored.
   */
  storeCompletedMinutes(): Promise<void> {
    return this.storing.run(() => this.storeNewMinutes());
  }

  /** Every pair's new minutes (and the buckets they complete) in one batch: one statement per 5000 rows. */
  private async storeNewMinutes(): Promise<void> {
    const last = this.lastCompletedMinute();
    const batches: Array<{ symbol: string; minutes: Candle[] }> = [];
    for (let index = 0; index < this.pairs.length; index++) {
      const symbol = this.pairs[index].symbol;
      const from = (this.storedThrough.get(symbol) ?? last - MINUTE_MS) + MINUTE_MS;
      if (from > last) continue;
      batches.push({ symbol, minutes: this.market.candles(index, from, last + MINUTE_MS) });
    }
    if (batches.length === 0) return;
    await this.candles.insertMany(
      SIMULATED_EXCHANGE,
      batches.flatMap(({ symbol, minutes }) => this.rowsOf(symbol, minutes)),
    );
    for (const { symbol, minutes } of batches) this.markStored(symbol, minutes);
  }

  /**
   * Stores 1-minute candles and every higher-timeframe candle they complete. Higher buckets are built
   * from the simulation itself, so a bucket that began before these minutes is complete too.
   */
  private async store(symbol: string, minutes: Candle[]): Promise<void> {
    await this.candles.insertMany(SIMULATED_EXCHANGE, this.rowsOf(symbol, minutes));
    this.markStored(symbol, minutes);
  }

  /** A pair's 1-minute candles as rows, with every higher-timeframe candle they complete. */
  private rowsOf(symbol: string, minutes: Candle[]): CandleBatchRow[] {
    const index = this.pairs.findIndex((pair) => pair.symbol === symbol);
    const rows: CandleBatchRow[] = minutes.map((candle) => ({ ...candle, symbol, timeframe: '1m' }));
    const lastClose = minutes[minutes.length - 1].openTime + MINUTE_MS;
    const firstOpen = minutes[0].openTime;
    for (const timeframe of TIMEFRAMES.slice(1)) {
      const span = TIMEFRAME_MS[timeframe];
      const firstBucket = Math.floor(firstOpen / span) * span;
      const lastCompleteBucketEnd = Math.floor(lastClose / span) * span;
      if (lastCompleteBucketEnd <= firstBucket) continue;
      // The minutes in hand cover the bucket unless it began before them (live minutes, resumed ranges).
      const source =
        firstBucket >= firstOpen ? minutes : this.market.candles(index, firstBucket, lastCompleteBucketEnd);
      for (const candle of aggregateCandles(source, MINUTE_MS, span))
        rows.push({ ...candle, symbol, timeframe });
    }
    return rows;
  }

  /** Older days may be stored after newer ones: the live store goes on from the newest minute held. */
  private markStored(symbol: string, minutes: Candle[]): void {
    this.storedThrough.set(
      symbol,
      Math.max(this.storedThrough.get(symbol) ?? 0, minutes[minutes.length - 1].openTime),
    );
  }
}
