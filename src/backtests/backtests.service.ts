import { MlModels } from '../ml/ml-models.service';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import type { MarketInfo } from '../exchange/exchange-port';
import { MarketDataService } from '../market/market-data.service';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { Role } from '../platform/access/role';
import { AppConfig } from '../platform/config/app-config';
import { EventBus } from '../platform/events/event-bus';
import { JobAbortedError, JobContext, JobFailedError, JobQueue } from '../platform/jobs/job-queue';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { PresetsService } from '../presets/presets.service';
import { HOURS_NEEDED } from '../scanner/scanner-metrics';
import { ScannerService } from '../scanner/scanner.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { Backtest, BacktestRequest } from './backtest.entity';
import { errorMessage } from '../platform/errors/error-message';
import { DcaBacktests } from './dca-backtests';
import { StrategyBacktests } from './strategy-backtests';

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
    private readonly scanner: ScannerService,
    private readonly dcaBacktests: DcaBacktests,
    private readonly strategyBacktests: StrategyBacktests,
    private readonly marketData: MarketDataService,
    private readonly venues: TradingVenues,
    private readonly jobs: JobQueue,
    private readonly models: MlModels,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly clock: Clock,
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
    const { ml } = preset.config;
    if (ml && !dca) {
      // Walk-forward: at each time the replay asks a model trained on data before it, never one after.
      const earliest = await this.models.earliestTrainingEnd(ml.modelType, timeframe);
      if (!earliest || earliest.getTime() > from)
        throw ApiError.validation(
          `preset: ${preset.name} uses the ${ml.modelType} model of ${timeframe}; a backtest from ${new Date(from).toISOString()} needs one trained on data before that, and ${earliest ? `the earliest was trained on data through ${earliest.toISOString()}` : 'none is trained'}`,
        );
    }
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
      const progress = (percent: number) => this.reportProgress(job, context, percent);
      const { config } = preset;
      if (request.kind === 'dca') {
        if (config.kind !== 'dca' || !config.dca)
          throw new JobFailedError(`preset ${request.preset} is no longer a DCA preset`);
        const result = await this.dcaBacktests.replay(request, { ...config, dca: config.dca }, progress);
        const { metrics, deals, equity, candles } = result;
        return await this.complete(
          job,
          { dcaMetrics: metrics, deals, equity, candles },
          `${metrics.deals} DCA deals`,
          {
            deals: metrics.deals,
            totalReturn: metrics.totalReturn,
          },
        );
      }
      const { metrics, trades, equity, candles } = await this.strategyBacktests.replay(
        request,
        config,
        progress,
      );
      return await this.complete(job, { metrics, trades, equity, candles }, `${metrics.trades} trades`, {
        trades: metrics.trades,
        totalReturn: metrics.totalReturn,
      });
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

  /** Stores a finished replay's result, unless the backtest was cancelled meanwhile. */
  private async complete(
    job: Backtest,
    result: Partial<Backtest> & { candles: number },
    summary: string,
    outcome: { totalReturn: number } & Record<string, number>,
  ): Promise<object> {
    const completed = await this.updateRunning(job, {
      ...result,
      status: 'completed',
      progress: 100,
      finishedAt: this.clock.now(),
    });
    if (!completed) return { status: 'cancelled' };
    this.logger.log(
      `backtest ${job.id}: ${result.candles} candles, ${summary}, return ${(outcome.totalReturn * 100).toFixed(2)} %`,
    );
    return { status: 'completed', ...outcome };
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
