import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { withRiskCeilings } from '../engine/risk-manager';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import type { MarketInfo } from '../exchange/exchange-port';
import { MarketDataService } from '../market/market-data.service';
import { MarketSimulationService } from '../market/market-simulation.service';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { yieldToEventLoop } from '../platform/async/yield-to-event-loop';
import { Role } from '../platform/access/role';
import { AppConfig } from '../platform/config/app-config';
import { EventBus } from '../platform/events/event-bus';
import { JobAbortedError, JobContext, JobFailedError, JobQueue } from '../platform/jobs/job-queue';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import type { PresetConfig } from '../presets/preset-config';
import { PresetsService } from '../presets/presets.service';
import { HOURS_NEEDED, rangeCandlesOf } from '../scanner/scanner-metrics';
import { ScannerService } from '../scanner/scanner.service';
import { StrategiesService } from '../strategies/strategies.service';
import { resolveParameters } from '../strategies/strategy';
import { TradingVenues } from '../trading/trading-venues.service';
import { warmupCandles } from '../engine/bot-runtime';
import { ENTRY_SLIPPAGE_RESERVE } from '../engine/entry-execution';
import { BacktestCandles } from './backtest-candles';
import { runBacktest } from './backtest-engine';
import type { BacktestSymbol } from './backtest-types';
import { closeFills, simulatedBookFills } from './backtest-fill-models';
import { Backtest, BacktestRequest } from './backtest.entity';
import { errorMessage } from '../platform/errors/error-message';
import { DcaBacktests } from './dca-backtests';

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

/** The job queue backtests run on; a backtest's job has the backtest's id. */
export const BACKTEST_QUEUE = 'backtest';
/** Attempts after a failed one (an exchange or database that was away for a moment). */
const BACKTEST_RETRIES = 2;

/** Most candles one backtest may read (30 days of 1m candles for 20 symbols, with the scanner's). */
const MAX_CANDLES = 1_000_000;
/** Share of a job's progress spent fetching an exchange's candles before the replay. */
const DOWNLOAD_SHARE = 50;
/** Share of a job's progress spent reading the stored candles. */
const LOAD_SHARE = 30;
const HOUR_MS = TIMEFRAME_MS['1h'];
const QUARTER_MS = TIMEFRAME_MS['15m'];
/** Price paid over a candle's close by an entry on an exchange's candles (no book to walk), default. */
const DEFAULT_SLIPPAGE_BPS = 5;

/**
 * Backtests as durable jobs (BACKTEST_CONCURRENCY at a time per instance): the preset's strategy
 * streams, the engine's sizing and the paper exchange's book fills over stored candles. A job
 * interrupted by a crash or a restart runs again from the start; a cancelled one stops within a second.
 */
@Injectable()
export class BacktestsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Backtests');

  constructor(
    @InjectRepository(Backtest) private readonly backtests: Repository<Backtest>,
    private readonly presets: PresetsService,
    private readonly strategies: StrategiesService,
    private readonly scanner: ScannerService,
    private readonly history: BacktestCandles,
    private readonly dcaBacktests: DcaBacktests,
    private readonly simulation: MarketSimulationService,
    private readonly marketData: MarketDataService,
    private readonly venues: TradingVenues,
    private readonly jobs: JobQueue,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly settings: RuntimeSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.define<{ backtestId: string }>(
      BACKTEST_QUEUE,
      {
        concurrency: this.config.jobs.backtestConcurrency,
        handledBy: Role.CONTROL,
        retryLimit: BACKTEST_RETRIES,
        retryDelaySeconds: 1,
        expireInSeconds: 3600,
        pollSeconds: 1,
      },
      (job) => this.run(job),
    );
    // A queued backtest's job cancelled (through /api/jobs): the backtest says so.
    this.events.on('job.updated', (job) => {
      if (job.queue === BACKTEST_QUEUE && job.state === 'cancelled')
        void this.whenJobCancelled(job.id).catch((error: unknown) =>
          this.logger.warn(`backtest ${job.id}: cancel not recorded: ${errorMessage(error)}`),
        );
    });
  }

  /**
   * Backtests left unfinished: one whose job was lost gets a job again; one whose job ended without it
   * (its last attempt died with its instance and the job queue failed it) says how its job ended.
   */
  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.backtests.find({
      where: { status: In(['queued', 'running']) },
      order: { createdAt: 'ASC' },
    });
    for (const backtest of unfinished) {
      const job = await this.jobs.get(backtest.id);
      if (!job) await this.enqueue(backtest.id);
      else if (job.state === 'cancelled') await this.markCancelled(backtest);
      else if (job.state === 'failed' || job.state === 'completed')
        await this.backtests.update(
          { id: backtest.id, status: In(['queued', 'running']) },
          {
            status: 'failed',
            error:
              `its job ${job.state === 'failed' ? 'failed' : 'ended'} without a result: ${job.error ?? 'no attempt finished'}`.slice(
                0,
                500,
              ),
            finishedAt: this.clock.now(),
          },
        );
    }
  }

  async create(input: CreateBacktest, createdBy: string | null): Promise<Backtest> {
    const preset = await this.presets.get(input.preset);
    const from = Date.parse(input.from);
    const to = Date.parse(input.to);
    if (!(to > from)) throw ApiError.validation('to: must be after from');
    const timeframe = input.timeframe ?? preset.config.timeframe;
    const dca = preset.config.kind === 'dca';
    if (dca && preset.config.dca?.startCondition === 'manual')
      throw ApiError.validation(
        `preset: ${preset.name} starts deals only by hand (startCondition manual): a backtest would start none`,
      );
    const source = await this.marketData.candleSource(input.accountId);
    const symbols = this.scanner.universeOf(preset.config, input.symbols, source);
    if (symbols.length === 0)
      throw ApiError.validation(`symbols: none of the preset's universe is listed on ${source.exchangeId}`);
    // The timeframe's candles, and (not for DCA) the scanner's hours and quarters from a day before the first scan.
    const scanSpan = dca ? 0 : to - from + HOURS_NEEDED * HOUR_MS;
    const candles =
      ((to - from) / TIMEFRAME_MS[timeframe] + scanSpan / HOUR_MS + scanSpan / QUARTER_MS) * symbols.length;
    if (candles > MAX_CANDLES)
      throw ApiError.validation(
        `from/to: ${Math.round(candles)} candles (${symbols.length} symbols) exceed the limit of ${MAX_CANDLES}; shorten the range or use fewer symbols`,
      );
    const markets = await this.marketsOf(input.accountId);
    const takerFee =
      input.takerFee ?? Number((markets.get(symbols[0]) ?? [...markets.values()][0])?.takerFee ?? 0.001);
    const request: BacktestRequest = {
      preset: preset.name,
      kind: preset.config.kind,
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
    await this.enqueue(id);
    return this.get(id);
  }

  async get(id: string): Promise<Backtest> {
    const job = await this.backtests.findOneBy({ id });
    if (!job) throw ApiError.notFound(`No backtest ${id}`);
    return job;
  }

  /** Cancels a queued or running backtest (the running replay stops within a second). */
  async cancel(id: string): Promise<Backtest> {
    const backtest = await this.get(id);
    if (backtest.status !== 'queued' && backtest.status !== 'running')
      throw ApiError.conflict(
        `backtest ${id} is ${backtest.status}; only a queued or running one can be cancelled`,
      );
    // The backtest's row first: a replay that ends after this cannot mark it completed any more.
    if (!(await this.markCancelled(backtest)))
      throw ApiError.conflict(`backtest ${id} finished before it could be cancelled`);
    // Cancelled for good already: a replay still going can no longer record a result, and it stops at
    // its next progress report once its job is cancelled too (the job queue's own cancel, retried here).
    await this.jobs.cancel(id).catch(async (error: unknown) => {
      this.logger.warn(`backtest ${id}: job not cancelled at once (${errorMessage(error)}); trying again`);
      await this.jobs.cancel(id);
    });
    return backtest;
  }

  private async enqueue(id: string): Promise<void> {
    await this.jobs.enqueue(BACKTEST_QUEUE, { backtestId: id }, { id });
  }

  private async run(context: JobContext<{ backtestId: string }>): Promise<object> {
    const job = await this.get(context.data.backtestId);
    const { request } = job;
    // Queued, or running when an attempt was cut short by a crash; cancelled meanwhile: nothing to do.
    const running = { status: 'running', progress: 0, startedAt: this.clock.now(), error: null } as const;
    const started = await this.backtests.update({ id: job.id, status: In(['queued', 'running']) }, running);
    if (!started.affected) return { status: job.status };
    Object.assign(job, running);
    try {
      const preset = await this.presets.get(request.preset);
      if (request.kind === 'dca') return await this.runDca(job, context, preset.config);
      const strategy = this.strategies.get(preset.config.strategy.name);
      const { params } = resolveParameters(strategy, preset.config.strategy.parameters);
      const timeframe = request.timeframe as Timeframe;
      const span = TIMEFRAME_MS[timeframe];
      const from = Math.ceil(Date.parse(request.from) / span) * span;
      const to = Math.floor(Date.parse(request.to) / span) * span;
      // The engine's warm-up: the strategy has seen as many candles before `from` as a bot started then.
      const warmStart = from - warmupCandles(strategy, params) * span;
      const source = await this.marketData.candleSource(request.accountId);
      const { symbols: wanted } = request;
      if (request.accountId)
        await this.history.download(wanted, source, timeframe, warmStart, to - span, (done) =>
          this.reportProgress(job, context, done * DOWNLOAD_SHARE),
        );
      const loadShare = request.accountId ? DOWNLOAD_SHARE : 0;
      const stored = await this.history.load(wanted, source.key, timeframe, warmStart, to - span, (done) =>
        this.reportProgress(job, context, loadShare + done * LOAD_SHARE),
      );
      // The scanner's hours and quarters, from a day before the first scan (progress stands meanwhile;
      // a cancel still stops it between reads).
      const scanFrom = Math.floor(from / HOUR_MS) * HOUR_MS - HOURS_NEEDED * HOUR_MS;
      const standing = () => this.reportProgress(job, context, loadShare + LOAD_SHARE);
      if (request.accountId)
        for (const scanTimeframe of ['1h', '15m'] as const)
          await this.history.download(
            wanted,
            source,
            scanTimeframe,
            scanFrom,
            to - TIMEFRAME_MS[scanTimeframe],
            standing,
          );
      const hours = await this.history.load(wanted, source.key, '1h', scanFrom, to - HOUR_MS, standing);
      const quarters = await this.history.load(
        wanted,
        source.key,
        '15m',
        scanFrom,
        to - QUARTER_MS,
        standing,
      );
      const inRange = [...stored.values()].reduce(
        (count, candles) => count + candles.filter((candle) => candle.openTime >= from).length,
        0,
      );
      if (inRange === 0)
        throw new JobFailedError(
          `no ${timeframe} candles of ${request.symbols.join(', ')} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}: the market has no history there`,
        );
      const markets = await this.marketsOf(request.accountId ?? undefined);
      const replayStart = loadShare + LOAD_SHARE;
      const symbols: BacktestSymbol[] = request.symbols.map((symbol) => {
        const market = markets.get(symbol);
        return {
          symbol,
          candles: stored.get(symbol) ?? [],
          hours: hours.get(symbol) ?? [],
          quarters: quarters.get(symbol) ?? [],
          market: {
            amountStep: market?.amountStep ?? '0.00000001',
            minAmount: Number(market?.minAmount ?? 0),
            minNotional: Number(market?.minNotional ?? 0),
          },
        };
      });
      await yieldToEventLoop();
      const result = await runBacktest(symbols, {
        from,
        to,
        span,
        strategy,
        params,
        risk: withRiskCeilings(preset.config.risk, this.settings.section('risk')),
        startingBalance: request.startingBalance,
        takerFee: request.takerFee,
        slippageReserve: ENTRY_SLIPPAGE_RESERVE,
        scanner: { config: preset.config.scannerConfig, rangeCandles: rangeCandlesOf(preset.config) },
        fills:
          request.slippageBps !== null && request.slippageBps !== undefined
            ? closeFills(request.slippageBps)
            : simulatedBookFills(this.simulation.quotes),
        checkpoint: (fraction) =>
          this.reportProgress(job, context, replayStart + fraction * (100 - replayStart)),
      });
      const completed = await this.updateRunning(job, {
        status: 'completed',
        progress: 100,
        metrics: result.metrics,
        equity: result.equity,
        trades: result.trades,
        candles: result.candles,
        finishedAt: this.clock.now(),
      });
      if (!completed) return { status: 'cancelled' };
      this.logger.log(
        `backtest ${job.id}: ${result.candles} candles, ${result.metrics.trades} trades, return ${(result.metrics.totalReturn * 100).toFixed(2)} %`,
      );
      return { status: 'completed', trades: result.metrics.trades, totalReturn: result.metrics.totalReturn };
    } catch (error) {
      if (error instanceof JobAbortedError && error.reason === 'cancelled') {
        await this.markCancelled(job);
        return { status: 'cancelled' };
      }
      const message = errorMessage(error).slice(0, 500);
      const retried =
        !(error instanceof JobAbortedError) &&
        !(error instanceof JobFailedError) &&
        context.attempt <= BACKTEST_RETRIES;
      // A shutdown or a failure with attempts left: queued again for the next attempt.
      // (Only while it runs: a backtest cancelled meanwhile stays cancelled.)
      if (error instanceof JobAbortedError || retried)
        await this.updateRunning(job, { status: 'queued', progress: 0, error: retried ? message : null });
      else await this.updateRunning(job, { status: 'failed', error: message, finishedAt: this.clock.now() });
      throw error;
    }
  }

  /** A DCA preset's backtest: its deals replayed, with the DCA metrics. */
  private async runDca(
    job: Backtest,
    context: JobContext<{ backtestId: string }>,
    config: PresetConfig,
  ): Promise<object> {
    if (config.kind !== 'dca' || !config.dca)
      throw new JobFailedError(`preset ${job.request.preset} is no longer a DCA preset`);
    const result = await this.dcaBacktests.replay(job.request, { ...config, dca: config.dca }, (percent) =>
      this.reportProgress(job, context, percent),
    );
    const completed = await this.updateRunning(job, {
      status: 'completed',
      progress: 100,
      dcaMetrics: result.metrics,
      deals: result.deals,
      equity: result.equity,
      candles: result.candles,
      finishedAt: this.clock.now(),
    });
    if (!completed) return { status: 'cancelled' };
    this.logger.log(
      `backtest ${job.id}: ${result.candles} candles, ${result.metrics.deals} DCA deals, return ${(result.metrics.totalReturn * 100).toFixed(2)} %`,
    );
    return { status: 'completed', deals: result.metrics.deals, totalReturn: result.metrics.totalReturn };
  }

  private async reportProgress(job: Backtest, context: JobContext<unknown>, percent: number): Promise<void> {
    const whole = Math.floor(percent);
    // The backtest's own row every 5 %, the job's on every whole percent.
    if (whole >= job.progress + 5) await this.update(job, { progress: whole });
    await context.progress(whole);
  }

  private async whenJobCancelled(id: string): Promise<void> {
    const backtest = await this.backtests.findOneBy({ id });
    if (backtest && (backtest.status === 'queued' || backtest.status === 'running'))
      await this.markCancelled(backtest);
  }

  /** Cancels a queued or running backtest; false when it had already finished. */
  private async markCancelled(job: Backtest): Promise<boolean> {
    const changes = { status: 'cancelled', finishedAt: this.clock.now() } as const;
    const result = await this.backtests.update({ id: job.id, status: In(['queued', 'running']) }, changes);
    if (!result.affected) return false;
    Object.assign(job, changes);
    return true;
  }

  private async update(job: Backtest, changes: Partial<Backtest>): Promise<void> {
    Object.assign(job, changes);
    await this.backtests.update({ id: job.id }, changes);
  }

  /** Applies the changes only to a backtest still running (not cancelled meanwhile); false otherwise. */
  private async updateRunning(job: Backtest, changes: Partial<Backtest>): Promise<boolean> {
    const result = await this.backtests.update({ id: job.id, status: 'running' }, changes);
    if (!result.affected) return false;
    Object.assign(job, changes);
    return true;
  }

  private async marketsOf(accountId?: string): Promise<Map<string, MarketInfo>> {
    const { exchange } = await this.venues.resolve(accountId);
    return new Map((await exchange.markets()).map((market) => [market.symbol, market]));
  }
}
