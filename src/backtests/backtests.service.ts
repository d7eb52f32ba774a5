import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { BOOK_DEPTH, walkBook } from '../exchange/paper/book-walk';
import type { MarketInfo } from '../exchange/exchange-port';
import { CandleRepository } from '../market/candle.repository';
import { CandleSource } from '../market/candle-source';
import { MarketDataService } from '../market/market-data.service';
import { MarketSimulationService } from '../market/market-simulation.service';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { yieldToEventLoop } from '../platform/async/yield-to-event-loop';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { PresetsService } from '../presets/presets.service';
import { ScannerService } from '../scanner/scanner.service';
import { StrategiesService } from '../strategies/strategies.service';
import { resolveParameters } from '../strategies/strategy';
import { TradingVenues } from '../trading/trading-venues.service';
import { warmupCandles } from '../engine/bot-runtime';
import { ENTRY_SLIPPAGE_RESERVE } from '../engine/engine.service';
import { BacktestSymbol, FillModel, runBacktest } from './backtest-engine';
import { Backtest, BacktestRequest } from './backtest.entity';
import { errorMessage } from '../platform/errors/error-message';

export interface CreateBacktest {
  preset: string;
  symbols?: string[];
  timeframe?: Timeframe;
  from: string;
  to: string;
  startingBalance?: number;
  takerFee?: number;
  accountId?: string;
  slippageBps?: number;
}

declare module '../platform/events/event-bus' {
  interface DomainEvents {
    'backtest.progress': { id: string; status: string; progress: number };
  }
}

/** Most candles one backtest may read (30 days of 1m candles for 20 symbols). */
const MAX_CANDLES = 900_000;
/** Share of a job's progress spent fetching an exchange's candles before the replay. */
const DOWNLOAD_SHARE = 50;
/** Price paid over a candle's close by an entry on an exchange's candles (no book to walk), default. */
const DEFAULT_SLIPPAGE_BPS = 5;

/**
 * Backtests as background jobs, one at a time: the preset's strategy streams, the engine's sizing and
 * the paper exchange's book fills over stored candles. Jobs interrupted by a restart run again.
 */
@Injectable()
export class BacktestsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Backtests');
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    @InjectRepository(Backtest) private readonly backtests: Repository<Backtest>,
    private readonly presets: PresetsService,
    private readonly strategies: StrategiesService,
    private readonly scanner: ScannerService,
    private readonly candles: CandleRepository,
    private readonly simulation: MarketSimulationService,
    private readonly marketData: MarketDataService,
    private readonly venues: TradingVenues,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.backtests.find({
      where: { status: In(['queued', 'running']) },
      order: { createdAt: 'ASC' },
    });
    for (const job of unfinished) this.enqueue(job.id);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.queue;
  }

  async create(input: CreateBacktest, createdBy: string | null): Promise<Backtest> {
    const preset = await this.presets.get(input.preset);
    const from = Date.parse(input.from);
    const to = Date.parse(input.to);
    if (!(to > from)) throw ApiError.validation('to: must be after from');
    const timeframe = input.timeframe ?? preset.config.timeframe;
    const source = await this.marketData.candleSource(input.accountId);
    const symbols = this.scanner.universeOf(preset.config, input.symbols, source);
    if (symbols.length === 0)
      throw ApiError.validation(`symbols: none of the preset's universe is listed on ${source.exchangeId}`);
    const candles = ((to - from) / TIMEFRAME_MS[timeframe]) * symbols.length;
    if (candles > MAX_CANDLES)
      throw ApiError.validation(
        `from/to: ${Math.round(candles)} candles (${symbols.length} symbols) exceed the limit of ${MAX_CANDLES}; shorten the range or use fewer symbols`,
      );
    const markets = await this.marketsOf(input.accountId);
    const takerFee =
      input.takerFee ?? Number((markets.get(symbols[0]) ?? [...markets.values()][0])?.takerFee ?? 0.001);
    const request: BacktestRequest = {
      preset: preset.name,
      symbols,
      timeframe,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      startingBalance: input.startingBalance ?? 10_000,
      takerFee,
      accountId: input.accountId ?? null,
      exchange: source.exchangeId,
      slippageBps: input.accountId ? (input.slippageBps ?? DEFAULT_SLIPPAGE_BPS) : null,
    };
    const id = randomUUID();
    await this.backtests.insert({ id, status: 'queued', request, createdBy });
    this.enqueue(id);
    return this.get(id);
  }

  async get(id: string): Promise<Backtest> {
    const job = await this.backtests.findOneBy({ id });
    if (!job) throw ApiError.notFound(`No backtest ${id}`);
    return job;
  }

  /** Resolves when every job queued so far has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(id: string): void {
    this.queue = this.queue.then(() =>
      this.run(id).catch((error: unknown) => this.logger.error(`backtest ${id} failed: ${String(error)}`)),
    );
  }

  private async run(id: string): Promise<void> {
    if (this.stopped) return;
    const job = await this.get(id);
    const { request } = job;
    await this.update(job, { status: 'running', progress: 0, startedAt: this.clock.now(), error: null });
    try {
      const preset = await this.presets.get(request.preset);
      const strategy = this.strategies.get(preset.config.strategy.name);
      const { params } = resolveParameters(strategy, preset.config.strategy.parameters);
      const timeframe = request.timeframe as Timeframe;
      const span = TIMEFRAME_MS[timeframe];
      const from = Math.ceil(Date.parse(request.from) / span) * span;
      const to = Math.floor(Date.parse(request.to) / span) * span;
      // The engine's warm-up: the strategy has seen as many candles before `from` as a bot started then.
      const warmStart = from - warmupCandles(strategy, params) * span;
      const source = await this.marketData.candleSource(request.accountId);
      if (request.accountId) await this.download(job, source, timeframe, warmStart, to - span);
      const stored = await this.candles.rangeMany(
        source.key,
        request.symbols,
        timeframe,
        warmStart,
        to - span,
      );
      const inRange = [...stored.values()].reduce(
        (count, candles) => count + candles.filter((candle) => candle.openTime >= from).length,
        0,
      );
      if (inRange === 0)
        throw new Error(
          `no ${timeframe} candles of ${request.symbols.join(', ')} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}: the market has no history there`,
        );
      const markets = await this.marketsOf(request.accountId ?? undefined);
      const replayStart = request.accountId ? DOWNLOAD_SHARE : 0;
      const symbols: BacktestSymbol[] = request.symbols.map((symbol) => {
        const market = markets.get(symbol);
        return {
          symbol,
          candles: stored.get(symbol) ?? [],
          market: {
            amountStep: market?.amountStep ?? '0.00000001',
            minAmount: Number(market?.minAmount ?? 0),
            minNotional: Number(market?.minNotional ?? 0),
          },
        };
      });
      await yieldToEventLoop();
      let lastReport = 0;
      const result = runBacktest(symbols, {
        from,
        to,
        span,
        strategy,
        params,
        risk: preset.config.risk,
        startingBalance: request.startingBalance,
        takerFee: request.takerFee,
        slippageReserve: ENTRY_SLIPPAGE_RESERVE,
        fills:
          request.slippageBps !== null && request.slippageBps !== undefined
            ? closeFills(request.slippageBps)
            : this.fillModel(),
        onProgress: (fraction) => {
          const percent = Math.floor(replayStart + fraction * (100 - replayStart));
          if (percent >= lastReport + 10) {
            lastReport = percent;
            this.events.publish('backtest.progress', { id, status: 'running', progress: percent });
          }
        },
      });
      await this.update(job, {
        status: 'completed',
        progress: 100,
        metrics: result.metrics,
        equity: result.equity,
        trades: result.trades,
        candles: result.candles,
        finishedAt: this.clock.now(),
      });
      this.logger.log(
        `backtest ${id}: ${result.candles} candles, ${result.metrics.trades} trades, return ${(result.metrics.totalReturn * 100).toFixed(2)} %`,
      );
    } catch (error) {
      const message = errorMessage(error);
      await this.update(job, {
        status: 'failed',
        error: message.slice(0, 500),
        finishedAt: this.clock.now(),
      });
    }
  }

  private async update(job: Backtest, changes: Partial<Backtest>): Promise<void> {
    Object.assign(job, changes);
    await this.backtests.update({ id: job.id }, changes);
    this.events.publish('backtest.progress', { id: job.id, status: job.status, progress: job.progress });
  }

  private async marketsOf(accountId?: string): Promise<Map<string, MarketInfo>> {
    const { exchange } = await this.venues.resolve(accountId);
    return new Map((await exchange.markets()).map((market) => [market.symbol, market]));
  }

  /**
   * Fetches the exchange's candles of the whole range into the store, symbol by symbol, reporting
   * progress; stops for a symbol when the exchange has no more (a pair listed after `from`).
   */
  private async download(
    job: Backtest,
    source: CandleSource,
    timeframe: Timeframe,
    from: number,
    through: number,
  ): Promise<void> {
    const { symbols } = job.request;
    const expected = (through - from) / TIMEFRAME_MS[timeframe] + 1;
    for (const [index, symbol] of symbols.entries()) {
      let before = -1;
      for (;;) {
        const count =
          (await this.candles.coverage(source.key, [symbol], timeframe, from, through)).get(symbol)?.count ??
          0;
        const progress = Math.floor(((index + count / expected) / symbols.length) * DOWNLOAD_SHARE);
        if (progress > job.progress) await this.update(job, { progress });
        if (count >= expected || count === before || this.stopped) break;
        before = count;
        await source.ensure([symbol], timeframe, from, through);
      }
    }
  }

  /** The paper exchange's fills: its simulated book at the candle's close. */
  private fillModel(): FillModel {
    const quotes = this.simulation.quotes;
    const indexOf = new Map(quotes.pairs.map((pair, index) => [pair.symbol, index]));
    return {
      ask: (symbol, atMs, fallback) => {
        const index = indexOf.get(symbol);
        return index === undefined ? fallback : quotes.orderBook(index, atMs, 1).asks[0][0];
      },
      buy: (symbol, amount, atMs, fallback) => {
        const index = indexOf.get(symbol);
        const levels =
          index === undefined
            ? [[fallback, Number.MAX_SAFE_INTEGER] as [number, number]]
            : quotes.orderBook(index, atMs, BOOK_DEPTH).asks;
        return walkBook('buy', levels, amount, null);
      },
    };
  }
}

/** Fills on an exchange's candles, which come without a book: the candle's close plus a slippage. */
function closeFills(slippageBps: number): FillModel {
  const factor = 1 + slippageBps / 10_000;
  return {
    ask: (_symbol, _atMs, close) => close * factor,
    buy: (_symbol, amount, _atMs, close) =>
      walkBook('buy', [[close * factor, Number.MAX_SAFE_INTEGER]], amount, null),
  };
}
