import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { MarketDataService } from '../market/market-data.service';
import type { ModelDto } from './dto/ml-model.dto';
import type { MlPerformanceDto, ModelPerformanceDto } from './dto/ml-performance.dto';
import type { PredictionDto, PredictionListDto, PredictionQueryDto } from './dto/ml-prediction.dto';
import { MlModel } from './ml-model.entity';
import { MlPrediction } from './ml-prediction.entity';

/** Resolved predictions the live accuracy of a model counts (its last ones). */
export const LIVE_WINDOW = 500;
const PERFORMANCE_MODELS = 20;

export function toModelDto(model: MlModel): ModelDto {
  return {
    id: model.id,
    type: model.type,
    version: model.version,
    timeframe: model.timeframe,
    symbols: model.symbols,
    features: model.features,
    labelSettings: model.labelSettings,
    hyperParameters: model.hyperParameters as unknown as Record<string, unknown>,
    trainingFrom: model.trainingFrom.toISOString(),
    trainingTo: model.trainingTo.toISOString(),
    trainingSamples: model.trainingSamples,
    metrics: model.metrics,
    status: model.status,
    statusReason: model.statusReason,
    trainedBy: model.trainedBy,
    trainedAt: model.trainedAt.toISOString(),
    trainingMs: model.trainingMs,
    jobId: model.jobId,
    activatedAt: model.activatedAt?.toISOString() ?? null,
  };
}

function toPredictionDto(row: MlPrediction): PredictionDto {
  return {
    id: row.id,
    symbol: row.symbol,
    modelType: row.modelType,
    modelId: row.modelId,
    modelVersion: row.modelVersion,
    timeframe: row.timeframe,
    prediction: row.prediction,
    confidence: row.confidence,
    probabilities: row.probabilities,
    features: row.features,
    featuresHash: row.featuresHash,
    timestamp: row.predictedAt.toISOString(),
    candleTime: row.candleTime.toISOString(),
    resolvesAt: row.resolvesAt.toISOString(),
    realized: row.realized,
    correct: row.realized === null || row.realized === 'unknown' ? null : row.realized === row.prediction,
  };
}

/** GET /api/ml/performance and /api/ml/predictions: the models' walk-forward figures and live ones. */
@Injectable()
export class MlReports {
  constructor(
    @InjectRepository(MlModel) private readonly models: Repository<MlModel>,
    @InjectRepository(MlPrediction) private readonly predictionRows: Repository<MlPrediction>,
    private readonly marketData: MarketDataService,
  ) {}

  async performance(): Promise<MlPerformanceDto> {
    const models = await this.models
      .createQueryBuilder('model')
      .orderBy("CASE WHEN model.status = 'active' THEN 0 ELSE 1 END")
      .addOrderBy('model.trainedAt', 'DESC')
      .take(PERFORMANCE_MODELS)
      .getMany();
    const rows: ModelPerformanceDto[] = [];
    for (const model of models) {
      const live = await this.liveAccuracy(model.id);
      rows.push({
        id: model.id,
        name: `${model.type} v${model.version}`,
        type: model.type,
        version: model.version,
        status: model.status,
        accuracy: model.metrics.accuracy,
        precision: model.metrics.precision,
        recall: model.metrics.recall,
        f1Score: model.metrics.f1Score,
        macroF1: model.metrics.macroF1,
        logLoss: model.metrics.logLoss,
        confusionMatrix: model.metrics.confusionMatrix,
        baselineAccuracy: model.metrics.baselineAccuracy,
        lift: model.metrics.lift,
        lastTrained: model.trainedAt.toISOString(),
        trainingSamples: model.trainingSamples,
        live: { ...live, gapToTest: live.accuracy === null ? null : live.accuracy - model.metrics.accuracy },
      });
    }
    const totals = await this.predictionRows
      .createQueryBuilder('p')
      .select('count(*)::int', 'predictions')
      .addSelect(
        "(count(*) FILTER (WHERE p.realized IS NOT NULL AND p.realized <> 'unknown'))::int",
        'resolved',
      )
      .addSelect('(count(*) FILTER (WHERE p.realized = p.prediction))::int', 'correct')
      .getRawOne<{ predictions: number; resolved: number; correct: number }>();
    const resolved = Number(totals?.resolved ?? 0);
    return {
      models: rows,
      overallPerformance: {
        activeModels: models.filter((model) => model.status === 'active').length,
        predictions: Number(totals?.predictions ?? 0),
        resolved,
        liveAccuracy: resolved ? Number(totals?.correct ?? 0) / resolved : null,
      },
    };
  }

  private async liveAccuracy(modelId: string): Promise<{ resolved: number; accuracy: number | null }> {
    const row = await this.predictionRows.manager.query<Array<{ resolved: number; correct: number }>>(
      `SELECT count(*)::int AS resolved, (count(*) FILTER (WHERE realized = prediction))::int AS correct
       FROM (SELECT realized, prediction FROM ml_predictions
             WHERE model_id = $1 AND realized IS NOT NULL AND realized <> 'unknown'
             ORDER BY resolves_at DESC LIMIT ${LIVE_WINDOW}) last`,
      [modelId],
    );
    const resolved = Number(row[0]?.resolved ?? 0);
    return { resolved, accuracy: resolved ? Number(row[0].correct) / resolved : null };
  }

  async predictions(query: PredictionQueryDto): Promise<PredictionListDto> {
    const builder = this.predictionRows.createQueryBuilder('p');
    if (query.symbol)
      builder.andWhere('p.symbol = :symbol', { symbol: this.marketData.requireKnownSymbol(query.symbol) });
    if (query.modelType) builder.andWhere('p.modelType = :type', { type: query.modelType });
    if (query.resolved === true) builder.andWhere('p.realized IS NOT NULL');
    if (query.resolved === false) builder.andWhere('p.realized IS NULL');
    const rows = await builder
      .orderBy('p.candleTime', 'DESC')
      .addOrderBy('p.symbol')
      .take(query.limit)
      .getMany();
    return { predictions: rows.map(toPredictionDto), count: rows.length };
  }
}
