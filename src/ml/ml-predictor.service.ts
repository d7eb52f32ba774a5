import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { In, IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { CandleRepository } from '../market/candle.repository';
import { MarketDataService } from '../market/market-data.service';
import type { Candle } from '../market/market-types';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { SerialQueue } from '../platform/async/serial-queue';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Clock } from '../platform/time/clock';
import { factorReturns, MARKET_FACTOR_SYMBOL } from './ml-dataset';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureStream } from './ml-features';
import { argmax } from './ml-metrics';
import { predictProbabilities } from './ml-inference';
import { LoadedModel, MlModels } from './ml-models.service';
import { MlPrediction } from './ml-prediction.entity';
import { ML_CLASSES, tripleBarrierLabel } from './triple-barrier';

/** Candles a feature stream sees before it predicts (the pipeline needs about 100; its EMAs settle). */
export const FEATURE_WARMUP_CANDLES = 300;
/** How long after a close the predictor waits for every symbol's candle before predicting without. */
const CANDLE_WAIT_MS = 30_000;
const RESOLVE_BATCH = 500;

/** One symbol's features as of a close, with the close and ATR the prediction's barriers start from. */
export interface SymbolFeatures {
  symbol: string;
  features: Float64Array;
  close: number;
  atr: number;
}

/**
 * Keeps each symbol's feature stream of a timeframe and feeds it the candles it has not seen: at a close
 * only the new candle is read and computed (a stream is warmed up again after a gap).
 */
export class FeatureBook {
  private readonly streams = new Map<
    string,
    { stream: FeatureStream; through: number; last?: SymbolFeatures }
  >();

  constructor(readonly timeframe: Timeframe) {}

  /** From what open time each symbol needs candles to reach `newest`. */
  neededFrom(symbols: readonly string[], newest: number): number {
    const span = TIMEFRAME_MS[this.timeframe];
    return Math.min(
      ...symbols.map((symbol) => {
        const known = this.streams.get(symbol);
        return known && newest - known.through <= FEATURE_WARMUP_CANDLES * span
          ? known.through + span
          : newest - (FEATURE_WARMUP_CANDLES - 1) * span;
      }),
    );
  }

  /** Feeds the candles (the market factor's among them, for its returns); the features at `newest`. */
  feed(
    bySymbol: ReadonlyMap<string, readonly Candle[]>,
    newest: number,
    factorFrom?: readonly Candle[],
  ): SymbolFeatures[] {
    const span = TIMEFRAME_MS[this.timeframe];
    const factor = factorReturns(factorFrom ?? bySymbol.get(MARKET_FACTOR_SYMBOL));
    const out: SymbolFeatures[] = [];
    for (const [symbol, candles] of bySymbol) {
      let entry = this.streams.get(symbol);
      if (!entry || newest - entry.through > FEATURE_WARMUP_CANDLES * span) {
        entry = { stream: new FeatureStream(span), through: newest - FEATURE_WARMUP_CANDLES * span };
        this.streams.set(symbol, entry);
      }
      for (const candle of candles) {
        if (candle.openTime <= entry.through || candle.openTime > newest) continue;
        const features = entry.stream.update(candle, factor.get(candle.openTime) ?? null);
        entry.through = candle.openTime;
        entry.last = features
          ? { symbol, features, close: candle.close, atr: entry.stream.lastAtr! }
          : undefined;
      }
      if (entry.through === newest && entry.last) out.push(entry.last);
    }
    return out;
  }
}

/**
 * At each close of an active model's timeframe, predicts every symbol of its universe (those it learned
 * from, as the market lists them), stores
 * the predictions (once across instances: one row per model, symbol and candle) and publishes them on
 * `ml` as PREDICTION; resolves predictions whose vertical barrier has passed with the realised label.
 */
@Injectable()
export class MlPredictor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ML');
  private readonly books = new Map<Timeframe, FeatureBook>();
  private readonly predictedThrough = new Map<string, number>();
  private readonly passes = new SerialQueue();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(MlPrediction) private readonly predictions: Repository<MlPrediction>,
    private readonly models: MlModels,
    private readonly candles: CandleRepository,
    private readonly marketData: MarketDataService,
    private readonly settings: RuntimeSettings,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.passes.pending === 0)
        void this.passes
          .run(() => this.pass())
          .catch((error: unknown) => this.logger.warn(`prediction pass failed: ${errorMessage(error)}`));
    }, 5000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.passes.run(async () => undefined);
  }

  /** One pass: the active models (read again), predictions at a new close, and resolutions that are due. */
  async pass(): Promise<number> {
    await this.models.refresh();
    let made = 0;
    if (this.settings.section('ml').enabled)
      for (const model of this.models.allActive()) made += await this.predictAtClose(model);
    await this.resolveDue();
    return made;
  }

  /**
   * The model's predictions at the newest close of its timeframe, once every symbol's candle is stored
   * (or waited for long enough); the number stored.
   */
  async predictAtClose(model: LoadedModel): Promise<number> {
    const timeframe = model.timeframe as Timeframe;
    const span = TIMEFRAME_MS[timeframe];
    const now = this.clock.nowMs();
    const newest = Math.floor(now / span) * span - span;
    const key = `${model.id}`;
    if ((this.predictedThrough.get(key) ?? -Infinity) >= newest) return 0;
    const source = await this.marketData.candleSource();
    const symbols = model.symbols.filter((symbol) => source.symbols.has(symbol));
    if (symbols.length === 0) return 0;
    const book = this.bookOf(timeframe);
    const bySymbol = await this.candles.rangeMany(
      source.key,
      symbols,
      timeframe,
      book.neededFrom(symbols, newest) - span,
      newest,
    );
    const stored = symbols.every((symbol) => bySymbol.get(symbol)?.at(-1)?.openTime === newest);
    if (!stored && now - (newest + span) < CANDLE_WAIT_MS) return 0;
    const rows = book.feed(bySymbol, newest);
    this.predictedThrough.set(key, newest);
    return this.store(model, rows, newest);
  }

  private bookOf(timeframe: Timeframe): FeatureBook {
    let book = this.books.get(timeframe);
    if (!book) this.books.set(timeframe, (book = new FeatureBook(timeframe)));
    return book;
  }

  private async store(model: LoadedModel, rows: readonly SymbolFeatures[], newest: number): Promise<number> {
    if (rows.length === 0) return 0;
    const span = TIMEFRAME_MS[model.timeframe as Timeframe];
    const matrix = new Float64Array(rows.length * FEATURE_COUNT);
    rows.forEach((row, i) => matrix.set(row.features, i * FEATURE_COUNT));
    const probabilities = predictProbabilities(model.parameters, matrix, rows.length);
    const predictedAt = new Date(this.clock.nowMs());
    const entities = rows.map((row, i) => {
      const p = probabilities.subarray(i * ML_CLASSES.length, (i + 1) * ML_CLASSES.length);
      const predicted = argmax(p);
      const features = Object.fromEntries(FEATURE_NAMES.map((name, j) => [name, row.features[j]]));
      return Object.assign(new MlPrediction(), {
        id: randomUUID(),
        modelId: model.id,
        modelType: model.type,
        modelVersion: model.version,
        symbol: row.symbol,
        timeframe: model.timeframe,
        candleTime: new Date(newest),
        predictedAt,
        prediction: ML_CLASSES[predicted],
        confidence: p[predicted],
        probabilities: Object.fromEntries(ML_CLASSES.map((name, k) => [name, p[k]])),
        features,
        featuresHash: featuresHash(row.features),
        entryPrice: row.close,
        atr: row.atr,
        barrier: model.labelSettings,
        resolvesAt: new Date(newest + span + model.labelSettings.horizon * span),
        realized: null,
        resolvedAt: null,
      } satisfies MlPrediction);
    });
    const inserted = await this.predictions
      .createQueryBuilder()
      .insert()
      .values(entities)
      .orIgnore()
      .returning(['id'])
      .execute();
    const fresh = new Set((inserted.raw as Array<{ id: string }>).map((row) => row.id));
    for (const prediction of entities)
      if (fresh.has(prediction.id))
        this.events.publish('ml.prediction', {
          id: prediction.id,
          symbol: prediction.symbol,
          modelType: prediction.modelType,
          modelId: prediction.modelId,
          modelVersion: prediction.modelVersion,
          timeframe: prediction.timeframe,
          prediction: prediction.prediction,
          confidence: prediction.confidence,
          probabilities: prediction.probabilities,
          featuresHash: prediction.featuresHash,
          candleTime: prediction.candleTime.toISOString(),
          timestamp: prediction.predictedAt.toISOString(),
        });
    return fresh.size;
  }

  /** Predictions whose vertical barrier has passed get their realised label from the stored candles. */
  async resolveDue(): Promise<number> {
    const now = new Date(this.clock.nowMs());
    const due = await this.predictions.find({
      where: { realized: IsNull(), resolvesAt: LessThanOrEqual(now) },
      order: { resolvesAt: 'ASC' },
      take: RESOLVE_BATCH,
    });
    const source = await this.marketData.candleSource();
    // One read of candles per symbol and timeframe, one write per realised label.
    const groups = new Map<string, MlPrediction[]>();
    for (const prediction of due) {
      const key = `${prediction.symbol}|${prediction.timeframe}`;
      groups.set(key, [...(groups.get(key) ?? []), prediction]);
    }
    const byLabel = new Map<string, string[]>();
    for (const predictions of groups.values()) {
      const { symbol, timeframe } = predictions[0];
      const span = TIMEFRAME_MS[timeframe as Timeframe];
      const starts = predictions.map((prediction) => prediction.candleTime.getTime());
      const through = Math.max(
        ...predictions.map(
          (prediction) => prediction.candleTime.getTime() + prediction.barrier.horizon * span,
        ),
      );
      const candles =
        (
          await this.candles.rangeMany(
            source.key,
            [symbol],
            timeframe as Timeframe,
            Math.min(...starts),
            through,
          )
        ).get(symbol) ?? [];
      for (const prediction of predictions) {
        const start = prediction.candleTime.getTime();
        const window = candles.filter(
          (candle) =>
            candle.openTime >= start && candle.openTime <= start + prediction.barrier.horizon * span,
        );
        // The candle it predicted at, as entry, with the price it saw.
        const label =
          window[0]?.openTime === start
            ? tripleBarrierLabel(
                [{ ...window[0], close: prediction.entryPrice }, ...window.slice(1)],
                0,
                prediction.atr,
                prediction.barrier,
              )
            : null;
        // Candles missing for good (the market stopped): resolved as unknown after a day more.
        if (label === null && now.getTime() - prediction.resolvesAt.getTime() < 86_400_000) continue;
        const realized = label === null ? 'unknown' : ML_CLASSES[label];
        byLabel.set(realized, [...(byLabel.get(realized) ?? []), prediction.id]);
      }
    }
    let resolved = 0;
    for (const [realized, ids] of byLabel) {
      await this.predictions.update({ id: In(ids) }, { realized, resolvedAt: now });
      resolved += ids.length;
    }
    return resolved;
  }
}

/** The first 16 hex digits of the SHA-256 of the feature values (as float64). */
export function featuresHash(features: Float64Array): string {
  return createHash('sha256')
    .update(Buffer.from(features.buffer, features.byteOffset, features.byteLength))
    .digest('hex')
    .slice(0, 16);
}
