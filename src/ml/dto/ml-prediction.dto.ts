import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MODEL_TYPES, ModelType } from '../ml-inference';
import { ML_CLASSES } from '../triple-barrier';

const CLASSES_EXAMPLE = { down: 0.31, flat: 0.22, up: 0.47 };

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
