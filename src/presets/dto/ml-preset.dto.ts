import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { ML_MODES, MlMode } from '../preset-config';

const MODEL_TYPE_NAMES = ['logistic', 'mlp'] as const;
const MODE_DESCRIPTION =
  "`filter`: the strategy's buys pass only when the model predicts `up` with at least minConfidence; `signal`: the model's own `up` predictions enter (stop and target at its triple barrier), the strategy's sells still exit";

/** A preset's use of an ML model (changes: what is left out stays). */
export class PresetMlChangesDto {
  @ApiPropertyOptional({
    enum: MODEL_TYPE_NAMES,
    description: 'The active model of this type and the preset timeframe',
  })
  @IsOptional()
  @IsIn(MODEL_TYPE_NAMES)
  modelType?: 'logistic' | 'mlp';

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    example: 0.45,
    description: 'Default: the ml.confidenceThreshold setting',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  minConfidence?: number;

  @ApiPropertyOptional({ enum: ML_MODES, default: 'filter', description: MODE_DESCRIPTION })
  @IsOptional()
  @IsIn(ML_MODES)
  mode?: MlMode;
}

export class PresetMlDto {
  @ApiProperty({ enum: MODEL_TYPE_NAMES })
  modelType!: 'logistic' | 'mlp';
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.45 })
  minConfidence!: number;
  @ApiProperty({ enum: ML_MODES, description: MODE_DESCRIPTION })
  mode!: MlMode;
}
