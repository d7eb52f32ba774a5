import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsSymbolList } from '../../market/dto/symbol-list.decorator';
import { MODEL_TYPES, ModelType } from '../ml-inference';

const ML_TIMEFRAMES = ['5m', '15m', '1h', '4h'] as const;

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
