import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CandleRepository } from '../market/candle.repository';
import { MarketDataService } from '../market/market-data.service';
import type { Candle } from '../market/market-types';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { Role } from '../platform/access/role';
import { yieldToEventLoop } from '../platform/async/yield-to-event-loop';
import { ApiError } from '../platform/http/api-error';
import { JobContext, JobFailedError, JobQueue } from '../platform/jobs/job-queue';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Clock } from '../platform/time/clock';
import { FEATURE_NAMES } from './ml-features';
import { MARKET_FACTOR_SYMBOL } from './ml-dataset';
import { DEFAULT_LEARNER_SETTINGS, MODEL_TYPES, ModelType } from './ml-inference';
import { MlModel } from './ml-model.entity';
import { MlModels } from './ml-models.service';
import type { TrainingOutcome } from './ml-training-run';
import { trainInWorker } from './ml-worker';
import type { BarrierSettings } from './triple-barrier';

export const ML_RETRAIN_QUEUE = 'ml.retrain';
const ML_SCHEDULE_QUEUE = 'ml.retrain-schedule';
/** Walk-forward test windows of a retrain. */
const WALK_FORWARD_FOLDS = 4;
/** The label settings when the request does not give them: 2 ATRs up or down within 16 candles. */
export const DEFAULT_BARRIER: BarrierSettings = { kUp: 2, kDown: 2, horizon: 16 };
const DAY_MS = 86_400_000;
/** Candles one retrain may learn from (30 pairs × a year of 15m is about 1.05 million). */
const MAX_TRAINING_CANDLES = 2_000_000;
/** Candles read per query while loading a retrain's data. */
const LOAD_CHUNK = 250;
/** A first retrain's estimate: about 80 µs per sample and fit, measured on this machine (see README). */
const ESTIMATED_MS_PER_SAMPLE = 0.08;

export interface RetrainJobData {
  modelType: ModelType;
  timeframe: Timeframe;
  symbols: string[];
  from: number;
  to: number;
  barrier: BarrierSettings;
  requestedBy: string;
  /** When it was asked for (the application's clock). */
  requestedAt: number;
}

export interface RetrainResult {
  modelId: string;
  version: number;
  status: MlModel['status'];
  reason: string;
  accuracy: number;
  baselineAccuracy: number;
  lift: number;
  macroF1: number;
  samples: number;
  trainingMs: number;
}

/**
 * Retraining as a job: the candles read here, the dataset, walk-forward evaluation and fits in a worker
 * thread, the model stored as the type's next version and made active only when its walk-forward macro
 * F1 beats the active one's (or none is active). Scheduled retraining (`ml` settings) runs hourly once
 * across instances and retrains the types whose last model is older than retrainEveryHours.
 */
@Injectable()
export class MlTraining implements OnModuleInit {
  private readonly logger = new Logger('ML');

  constructor(
    private readonly jobs: JobQueue,
    private readonly models: MlModels,
    private readonly candles: CandleRepository,
    private readonly marketData: MarketDataService,
    private readonly settings: RuntimeSettings,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.define<RetrainJobData>(
      ML_RETRAIN_QUEUE,
      {
        handledBy: Role.ADMIN,
        concurrency: 1,
        retryLimit: 1,
        expireInSeconds: 3600,
        exclusive: true,
        pollSeconds: 1,
      },
      (job) => this.run(job),
    );
    await this.jobs.define(ML_SCHEDULE_QUEUE, { handledBy: Role.ADMIN, pollSeconds: 60 }, async () => ({
      started: await this.retrainDue(),
    }));
    await this.jobs.schedule(ML_SCHEDULE_QUEUE, '7 * * * *');
  }

  /**
   * POST /api/ml/retrain: 202 with the job; 409 while one of the type is queued or running, and (unless
   * forced) when the last one of the type started within ml.minRetrainMinutes.
   */
  async retrain(
    request: {
      modelType: ModelType;
      force?: boolean;
      symbols?: string[];
      from?: string;
      to?: string;
      timeframe?: Timeframe;
      labels?: Partial<BarrierSettings>;
    },
    actor: string,
  ) {
    const now = this.clock.nowMs();
    const timeframe = request.timeframe ?? '15m';
    const span = TIMEFRAME_MS[timeframe];
    const source = await this.marketData.candleSource();
    const symbols = request.symbols?.length
      ? request.symbols.map((symbol) => this.marketData.requireKnownSymbol(symbol))
      : [...source.symbols];
    if (symbols.length === 0) throw ApiError.validation('symbols: the market lists no symbols to learn from');
    const to = request.to ? Date.parse(request.to) : Math.floor(now / span) * span;
    const from = request.from
      ? Date.parse(request.from)
      : to - this.settings.section('ml').trainingDays * DAY_MS;
    if (!(from < to)) throw ApiError.validation('from: must be before to');
    if (to > now) throw ApiError.validation('to: must not be in the future');
    const candles = ((to - from) / span) * symbols.length;
    if (candles > MAX_TRAINING_CANDLES)
      throw ApiError.validation(
        `from/to: ${Math.round(candles)} candles (${symbols.length} symbols) exceed the limit of ${MAX_TRAINING_CANDLES}; shorten the range or use fewer symbols`,
      );
    if (!request.force) {
      const last = await this.lastStart(request.modelType);
      const minutes = this.settings.section('ml').minRetrainMinutes;
      if (last !== null && now - last < minutes * 60_000)
        throw ApiError.conflict(
          `a ${request.modelType} retrain started ${new Date(last).toISOString()}, within ml.minRetrainMinutes (${minutes}); send force: true to retrain anyway`,
        );
    }
    const data: RetrainJobData = {
      modelType: request.modelType,
      timeframe,
      symbols: [
        ...new Set([...symbols, ...(source.symbols.has(MARKET_FACTOR_SYMBOL) ? [MARKET_FACTOR_SYMBOL] : [])]),
      ],
      from,
      to,
      barrier: { ...DEFAULT_BARRIER, ...request.labels },
      requestedBy: actor,
      requestedAt: now,
    };
    const jobId = await this.jobs.enqueue(ML_RETRAIN_QUEUE, data, { singletonKey: request.modelType });
    if (!jobId) throw ApiError.conflict(`a ${request.modelType} retrain is already queued or running`);
    return {
      modelType: request.modelType,
      trainingStarted: new Date(now).toISOString(),
      estimatedDuration: await this.estimateSeconds(data),
      status: 'training' as const,
      jobId,
    };
  }

  private async lastStart(type: ModelType): Promise<number | null> {
    const { items } = await this.jobs.list({ queue: ML_RETRAIN_QUEUE, limit: 50, offset: 0 });
    const starts = items
      .filter((job) => (job.data as RetrainJobData).modelType === type)
      .map((job) => (job.data as RetrainJobData).requestedAt);
    return starts.length ? Math.max(...starts) : null;
  }

  /** Seconds: the last retrain of the type scaled to this one's candles, or the per-sample figure. */
  private async estimateSeconds(data: RetrainJobData): Promise<number> {
    const candles = ((data.to - data.from) / TIMEFRAME_MS[data.timeframe]) * data.symbols.length;
    const last = await this.models.lastTrained(data.modelType);
    const perSample = last
      ? last.trainingMs / Math.max(1, last.trainingSamples)
      : ESTIMATED_MS_PER_SAMPLE * (WALK_FORWARD_FOLDS + 1);
    return Math.max(1, Math.round((candles * perSample) / 1000));
  }

  private async run(job: JobContext<RetrainJobData>): Promise<RetrainResult> {
    const { data } = job;
    const started = this.clock.nowMs();
    await job.progress(1);
    const source = await this.marketData.candleSource();
    const span = TIMEFRAME_MS[data.timeframe];
    const bySymbol = new Map<string, Candle[]>();
    for (const [index, symbol] of data.symbols.entries()) {
      // In reads of LOAD_CHUNK candles: on PGlite a query runs on the event loop, so a long one would
      // hold up the API and the bots for as long.
      const candles: Candle[] = [];
      for (let start = data.from; start < data.to; start += LOAD_CHUNK * span) {
        const through = Math.min(data.to - span, start + (LOAD_CHUNK - 1) * span);
        const chunk = await this.candles.rangeMany(source.key, [symbol], data.timeframe, start, through);
        for (const candle of chunk.get(symbol) ?? []) candles.push(candle);
        await yieldToEventLoop();
      }
      bySymbol.set(symbol, candles);
      await job.progress(1 + Math.round((9 * (index + 1)) / data.symbols.length));
    }
    const stored = [...bySymbol.values()].reduce((sum, candles) => sum + candles.length, 0);
    if (stored === 0)
      throw new JobFailedError(
        `no ${data.timeframe} candles of ${data.symbols.length} symbols between ${new Date(data.from).toISOString()} and ${new Date(data.to).toISOString()}`,
      );
    const learner = DEFAULT_LEARNER_SETTINGS[data.modelType];
    let outcome: TrainingOutcome;
    try {
      outcome = await trainInWorker(
        {
          type: data.modelType,
          timeframeMs: span,
          barrier: data.barrier,
          learner,
          folds: WALK_FORWARD_FOLDS,
        },
        bySymbol,
        (share) => void job.progress(10 + Math.floor(share * 88)).catch(() => undefined),
        job.signal,
      );
    } catch (error) {
      if (job.signal.aborted) throw error;
      throw new JobFailedError(error instanceof Error ? error.message : String(error));
    }
    const trainingMs = this.clock.nowMs() - started;
    const model = await this.store(job.id, data, outcome, trainingMs);
    this.logger.log(
      `${data.modelType} v${model.version}: walk-forward accuracy ${outcome.metrics.accuracy.toFixed(3)} against a baseline of ${outcome.metrics.baselineAccuracy.toFixed(3)}; ${model.status} (${model.statusReason})`,
    );
    return {
      modelId: model.id,
      version: model.version,
      status: model.status,
      reason: model.statusReason,
      accuracy: outcome.metrics.accuracy,
      baselineAccuracy: outcome.metrics.baselineAccuracy,
      lift: outcome.metrics.lift,
      macroF1: outcome.metrics.macroF1,
      samples: outcome.samples,
      trainingMs,
    };
  }

  private async store(
    jobId: string,
    data: RetrainJobData,
    outcome: TrainingOutcome,
    trainingMs: number,
  ): Promise<MlModel> {
    const active = await this.models.activeOf(data.modelType, data.timeframe);
    const metrics = {
      ...outcome.metrics,
      folds: outcome.folds,
      labelShares: outcome.labelShares,
      beatsBaseline: outcome.metrics.lift > 0,
    };
    const baselineNote = metrics.beatsBaseline
      ? `beats the majority-class baseline by ${(metrics.lift * 100).toFixed(2)} points`
      : `does not beat the majority-class baseline (${(metrics.lift * 100).toFixed(2)} points)`;
    const better = !active || metrics.macroF1 > active.metrics.macroF1;
    const reason = !active
      ? `no ${data.modelType} model was active; it ${baselineNote}`
      : better
        ? `its walk-forward macro F1 ${metrics.macroF1.toFixed(4)} beats v${active.version}'s ${active.metrics.macroF1.toFixed(4)}; it ${baselineNote}`
        : `its walk-forward macro F1 ${metrics.macroF1.toFixed(4)} does not beat the active v${active.version}'s ${active.metrics.macroF1.toFixed(4)}; it ${baselineNote}`;
    // The next version and the insert race only with another instance's retrain of the same type,
    // which the exclusive queue rules out.
    const model = Object.assign(new MlModel(), {
      id: randomUUID(),
      type: data.modelType,
      version: await this.models.nextVersion(data.modelType),
      timeframe: data.timeframe,
      symbols: data.symbols,
      features: [...FEATURE_NAMES],
      labelSettings: data.barrier,
      hyperParameters: { ...DEFAULT_LEARNER_SETTINGS[data.modelType], folds: WALK_FORWARD_FOLDS },
      trainingFrom: new Date(outcome.dataFrom),
      trainingTo: new Date(outcome.dataTo),
      metrics,
      trainingSamples: outcome.samples,
      parameters: outcome.parameters,
      status: better ? 'active' : 'candidate',
      statusReason: reason,
      trainedBy: data.requestedBy,
      trainedAt: new Date(this.clock.nowMs()),
      trainingMs,
      jobId,
      activatedAt: better ? new Date(this.clock.nowMs()) : null,
    } satisfies Partial<MlModel>);
    if (better && active) await this.models.retire(active.id, `replaced by v${model.version} (${reason})`);
    await this.models.save(model);
    return model;
  }

  /**
   * The hourly check: with ML enabled, each type whose newest model is older than retrainEveryHours (or
   * that has none) retrains; the types it started.
   */
  async retrainDue(): Promise<ModelType[]> {
    const ml = this.settings.section('ml');
    if (!ml.enabled) return [];
    const started: ModelType[] = [];
    for (const modelType of MODEL_TYPES) {
      const last = await this.models.lastTrained(modelType);
      if (last && this.clock.nowMs() - last.trainedAt.getTime() < ml.retrainEveryHours * 3_600_000) continue;
      await this.retrain({ modelType, force: true }, 'schedule').then(
        () => started.push(modelType),
        (error: unknown) =>
          this.logger.warn(
            `scheduled ${modelType} retrain not started: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    }
    return started;
  }
}
