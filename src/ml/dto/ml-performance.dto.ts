import { ApiProperty } from '@nestjs/swagger';
import { MODEL_TYPES, ModelType } from '../ml-inference';
import { MODEL_STATUSES, ModelStatus } from '../ml-model.entity';

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
