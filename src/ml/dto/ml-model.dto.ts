import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { MODEL_TYPES, ModelType } from '../ml-inference';
import { MODEL_STATUSES, ModelStatus } from '../ml-model.entity';
import { ML_CLASSES } from '../triple-barrier';
import { FEATURE_NAMES } from '../ml-features';
import { LabelSettingsDto } from './ml-retrain.dto';

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
