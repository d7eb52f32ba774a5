import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsSymbolList } from '../../market/dto/symbol-list.decorator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { MODEL_TYPES, ModelType } from '../ml-inference';
import { MODEL_STATUSES, ModelStatus } from '../ml-model.entity';
import { ML_CLASSES } from '../triple-barrier';
import { FEATURE_NAMES } from '../ml-features';

const ML_TIMEFRAMES = ['5m', '15m', '1h', '4h'] as const;
const CLASSES_EXAMPLE = { down: 0.31, flat: 0.22, up: 0.47 };

export class LabelSettingsDto {
  @ApiPropertyOptional({
    minimum: 0.1,
    maximum: 20,
    default: 2,
    description: 'Upper barrier: close + kUp · ATR(14)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(20)
  kUp?: number;

  @ApiPropertyOptional({
    minimum: 0.1,
    maximum: 20,
    default: 2,
    description: 'Lower barrier: close − kDown · ATR(14)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(20)
  kDown?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 500,
    default: 16,
    description: 'Vertical barrier, in candles',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  horizon?: number;
}

export class RetrainDto {
  @ApiProperty({
    enum: MODEL_TYPES,
    description: '`logistic`: multinomial logistic regression; `mlp`: a 32-16 ReLU network',
  })
  @IsIn(MODEL_TYPES)
  modelType!: ModelType;

  @ApiPropertyOptional({
    default: false,
    description: 'Retrain even within ml.minRetrainMinutes of the last one',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['BTC/USDT', 'ETH/USDT'],
    description: 'Default: every symbol of the market; BTC/USDT (the market factor) is always added',
  })
  @IsOptional()
  @IsSymbolList(200)
  symbols?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Default: ml.trainingDays before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: "Default: now's last close" })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: ML_TIMEFRAMES, default: '15m' })
  @IsOptional()
  @IsIn(ML_TIMEFRAMES)
  timeframe?: (typeof ML_TIMEFRAMES)[number];

  @ApiPropertyOptional({ type: LabelSettingsDto, description: 'Triple-barrier label settings' })
  @IsOptional()
  @ValidateNested()
  @Type(() => LabelSettingsDto)
  labels?: LabelSettingsDto;
}

export class RetrainAcceptedDto {
  @ApiProperty({ enum: MODEL_TYPES })
  modelType!: ModelType;
  @ApiProperty({ format: 'date-time' })
  trainingStarted!: string;
  @ApiProperty({
    example: 15,
    description: 'Seconds, from the last retrain of the type (or a per-sample figure)',
  })
  estimatedDuration!: number;
  @ApiProperty({ enum: ['training'] })
  status!: 'training';
  @ApiProperty({ format: 'uuid', description: 'GET /api/jobs/:id follows it; its result names the model' })
  jobId!: string;
}

export class ModelQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MODEL_TYPES })
  @IsOptional()
  @IsIn(MODEL_TYPES)
  type?: ModelType;

  @ApiPropertyOptional({ enum: MODEL_STATUSES })
  @IsOptional()
  @IsIn(MODEL_STATUSES)
  status?: ModelStatus;
}

export class ClassMetricsDto {
  @ApiProperty({ nullable: true, type: Number })
  precision!: number | null;
  @ApiProperty({ nullable: true, type: Number })
  recall!: number | null;
  @ApiProperty({ nullable: true, type: Number })
  f1!: number | null;
  @ApiProperty({ type: 'integer' })
  support!: number;
}

export class PerClassMetricsDto {
  @ApiProperty({ type: ClassMetricsDto })
  down!: ClassMetricsDto;
  @ApiProperty({ type: ClassMetricsDto })
  flat!: ClassMetricsDto;
  @ApiProperty({ type: ClassMetricsDto })
  up!: ClassMetricsDto;
}

export class FoldDto {
  @ApiProperty({ format: 'date-time' })
  testFrom!: string;
  @ApiProperty({ format: 'date-time' })
  testTo!: string;
  @ApiProperty({ type: 'integer' })
  trainSamples!: number;
  @ApiProperty({ type: 'integer' })
  testSamples!: number;
  @ApiProperty()
  accuracy!: number;
  @ApiProperty()
  baselineAccuracy!: number;
}

export class ModelMetricsDto {
  @ApiProperty({ type: 'integer', description: 'Test samples over every walk-forward window' })
  samples!: number;
  @ApiProperty({ example: 0.41 })
  accuracy!: number;
  @ApiProperty({ description: 'Weighted by support' })
  precision!: number;
  @ApiProperty({ description: 'Weighted by support' })
  recall!: number;
  @ApiProperty({ description: 'Weighted by support' })
  f1Score!: number;
  @ApiProperty()
  macroF1!: number;
  @ApiProperty()
  logLoss!: number;
  @ApiProperty({ type: PerClassMetricsDto, description: 'Per class' })
  classes!: PerClassMetricsDto;
  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
    description: 'Rows: realised class, columns: predicted (down, flat, up)',
  })
  confusionMatrix!: number[][];
  @ApiProperty({
    description: "Accuracy of always saying the class most frequent in each fold's training labels",
  })
  baselineAccuracy!: number;
  @ApiProperty({ enum: ML_CLASSES })
  baselineClass!: string;
  @ApiProperty({ description: 'accuracy − baselineAccuracy' })
  lift!: number;
  @ApiProperty()
  beatsBaseline!: boolean;
  @ApiProperty({ type: [FoldDto] })
  folds!: FoldDto[];
  @ApiProperty({
    example: { down: 0.36, flat: 0.26, up: 0.38 },
    description: 'Share of each label in the samples',
  })
  labelShares!: Record<string, number>;
}

export class ModelDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: MODEL_TYPES })
  type!: ModelType;
  @ApiProperty({ type: 'integer', example: 3 })
  version!: number;
  @ApiProperty({ example: '15m' })
  timeframe!: string;
  @ApiProperty({ type: [String] })
  symbols!: string[];
  @ApiProperty({ type: [String], example: FEATURE_NAMES.slice(0, 3) })
  features!: string[];
  @ApiProperty({ type: LabelSettingsDto })
  labelSettings!: LabelSettingsDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { epochs: 6, batchSize: 512, learningRate: 0.003, hidden: [32, 16], seed: 7, folds: 4 },
  })
  hyperParameters!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  trainingFrom!: string;
  @ApiProperty({ format: 'date-time' })
  trainingTo!: string;
  @ApiProperty({ type: 'integer' })
  trainingSamples!: number;
  @ApiProperty({ type: ModelMetricsDto })
  metrics!: ModelMetricsDto;
  @ApiProperty({ enum: MODEL_STATUSES })
  status!: ModelStatus;
  @ApiProperty({
    example:
      "its walk-forward macro F1 0.3412 beats v2's 0.3310; it beats the majority-class baseline by 1.20 points",
  })
  statusReason!: string;
  @ApiProperty({ example: 'user:admin' })
  trainedBy!: string;
  @ApiProperty({ format: 'date-time' })
  trainedAt!: string;
  @ApiProperty({ type: 'integer', description: 'Milliseconds the retrain took' })
  trainingMs!: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  jobId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  activatedAt!: string | null;
}

export class ModelListDto extends PageOf(ModelDto) {}

export class LiveFiguresDto {
  @ApiProperty({ type: 'integer', description: 'Resolved predictions counted (the last N)' })
  resolved!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Their accuracy; null before any resolved' })
  accuracy!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'live accuracy − walk-forward test accuracy (drift shows as a gap)',
  })
  gapToTest!: number | null;
}

export class ModelPerformanceDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'mlp v3' })
  name!: string;
  @ApiProperty({ enum: MODEL_TYPES })
  type!: ModelType;
  @ApiProperty({ type: 'integer' })
  version!: number;
  @ApiProperty({ enum: MODEL_STATUSES })
  status!: ModelStatus;
  @ApiProperty()
  accuracy!: number;
  @ApiProperty()
  precision!: number;
  @ApiProperty()
  recall!: number;
  @ApiProperty()
  f1Score!: number;
  @ApiProperty()
  macroF1!: number;
  @ApiProperty()
  logLoss!: number;
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'integer' } } })
  confusionMatrix!: number[][];
  @ApiProperty()
  baselineAccuracy!: number;
  @ApiProperty()
  lift!: number;
  @ApiProperty({ format: 'date-time' })
  lastTrained!: string;
  @ApiProperty({ type: 'integer' })
  trainingSamples!: number;
  @ApiProperty({ type: LiveFiguresDto })
  live!: LiveFiguresDto;
}

export class MlPerformanceDto {
  @ApiProperty({
    type: [ModelPerformanceDto],
    description: 'The active models, then the newest others (at most 20)',
  })
  models!: ModelPerformanceDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { activeModels: 1, predictions: 1200, resolved: 1100, liveAccuracy: 0.39 },
  })
  overallPerformance!: {
    activeModels: number;
    predictions: number;
    resolved: number;
    liveAccuracy: number | null;
  };
}

export class PredictionQueryDto {
  @ApiPropertyOptional({ example: 'BTC/USDT' })
  @IsOptional()
  @IsString()
  @Length(3, 40)
  symbol?: string;

  @ApiPropertyOptional({ enum: MODEL_TYPES })
  @IsOptional()
  @IsIn(MODEL_TYPES)
  modelType?: ModelType;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ type: Boolean, description: 'true: only resolved ones; false: only pending ones' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  resolved?: boolean;
}

export class PredictionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ enum: MODEL_TYPES })
  modelType!: string;
  @ApiProperty({ format: 'uuid' })
  modelId!: string;
  @ApiProperty({ type: 'integer' })
  modelVersion!: number;
  @ApiProperty({ example: '15m' })
  timeframe!: string;
  @ApiProperty({ enum: ML_CLASSES })
  prediction!: string;
  @ApiProperty({ example: 0.47, description: 'The predicted class’s probability' })
  confidence!: number;
  @ApiProperty({ example: CLASSES_EXAMPLE })
  probabilities!: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'The feature values it read, by name',
  })
  features!: Record<string, number>;
  @ApiProperty({ example: '3f9a0c2b4d5e6f70' })
  featuresHash!: string;
  @ApiProperty({ format: 'date-time', description: 'When it was made' })
  timestamp!: string;
  @ApiProperty({ format: 'date-time', description: 'Open time of the candle at whose close it predicted' })
  candleTime!: string;
  @ApiProperty({ format: 'date-time', description: 'When its vertical barrier passes' })
  resolvesAt!: string;
  @ApiProperty({
    nullable: true,
    enum: [...ML_CLASSES, 'unknown'],
    description: 'The realised label once resolved',
  })
  realized!: string | null;
  @ApiProperty({ nullable: true, type: Boolean })
  correct!: boolean | null;
}

export class PredictionListDto {
  @ApiProperty({ type: [PredictionDto] })
  predictions!: PredictionDto[];
  @ApiProperty({ type: 'integer' })
  count!: number;
}
