import { PageOf } from '../../platform/http/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length } from 'class-validator';
import { Timeframe, TIMEFRAMES } from '../../market/timeframes';

export class ParameterSpecDto {
  @ApiProperty({ enum: ['integer', 'number'] })
  type!: 'integer' | 'number';

  @ApiProperty({ example: 20 })
  default!: number;

  @ApiProperty({ example: 5 })
  minimum!: number;

  @ApiProperty({ example: 500 })
  maximum!: number;

  @ApiProperty({ example: 'Bars forming the range' })
  description!: string;
}

export class StrategyDto {
  @ApiProperty({ example: 'breakout' })
  name!: string;

  @ApiProperty({ example: 'Close above the range high of N bars on a volume surge; stop below the range' })
  description!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ParameterSpecDto' },
    description: 'Parameter schema by name',
  })
  parameters!: Record<string, ParameterSpecDto>;
}

export class StrategyListDto extends PageOf(StrategyDto) {}

export class SignalRequestDto {
  @ApiProperty({ example: 'BTC/USDT' })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiPropertyOptional({ enum: TIMEFRAMES, default: '1h' })
  @IsOptional()
  @IsIn(TIMEFRAMES)
  timeframe: Timeframe = '1h';

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { lookback: 30 },
    description: 'Overrides of the default parameters',
  })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;
}

export class SignalDto {
  @ApiProperty({ enum: ['buy', 'sell', 'hold'] })
  action!: 'buy' | 'sell' | 'hold';

  @ApiProperty({ example: 0.72, minimum: 0, maximum: 1 })
  confidence!: number;

  @ApiProperty({ example: 'close 61200 broke the 20-bar high 61000 on 2.10x volume' })
  reason!: string;

  @ApiProperty({ nullable: true, type: Number })
  stopLoss!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  takeProfit!: number | null;

  @ApiProperty({ example: 'breakout' })
  strategy!: string;

  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ enum: TIMEFRAMES })
  timeframe!: Timeframe;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'The parameters used',
  })
  parameters!: Record<string, number>;

  @ApiProperty({ example: 21, description: 'Closed candles the strategy saw' })
  candles!: number;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Open time of the newest candle',
  })
  asOf!: string | null;
}
