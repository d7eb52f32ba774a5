import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import type { TakeProfitType, VolumeType } from '../dca-ladder';

export const VOLUME_TYPES = ['quote', 'base', 'percent'] as const;
export const TAKE_PROFIT_TYPES = ['total', 'base'] as const;

/** A number from a query string or a body, within bounds. */
function bounded(min: number, max: number, example: number, description: string) {
  return (target: object, key: string) => {
    ApiPropertyOptional({ type: 'number', minimum: min, maximum: max, example, description })(target, key);
    IsOptional()(target, key);
    Type(() => Number)(target, key);
    IsNumber({ allowNaN: false, allowInfinity: false })(target, key);
    Min(min)(target, key);
    Max(max)(target, key);
  };
}

/** The ladder settings; each absent one comes from the `dca` section of the runtime settings or 3Commas' default. */
export class LadderSettingsDto {
  @bounded(0, 1e12, 10, 'Base order size in volumeType units (default: dca.baseVolume)')
  baseOrderVolume?: number;

  @bounded(0, 1e12, 20, 'First safety order size in volumeType units (default: dca.baseVolume)')
  safetyOrderVolume?: number;

  @ApiPropertyOptional({
    enum: VOLUME_TYPES,
    default: 'quote',
    description: '`percent`: of the free quote balance',
  })
  @IsOptional()
  @IsIn(VOLUME_TYPES)
  volumeType?: VolumeType;

  @bounded(0, 200, 5, 'Safety orders at most (default: dca.maxAttempts)')
  maxSafetyOrders?: number;

  @bounded(0.01, 50, 1.5, 'First safety order below the base fill, percent (default: dca.stepPercent)')
  priceDeviation?: number;

  @bounded(0.1, 10, 1.5, 'Martingale volume coefficient (default: dca.volumeScaling)')
  volumeScale?: number;

  @bounded(0.1, 10, 1.2, 'Martingale step coefficient (default 1)')
  stepScale?: number;

  @bounded(0.01, 1000, 1.5, 'Target profit, percent (default 1.5)')
  takeProfit?: number;

  @ApiPropertyOptional({ enum: TAKE_PROFIT_TYPES, default: 'total' })
  @IsOptional()
  @IsIn(TAKE_PROFIT_TYPES)
  takeProfitType?: TakeProfitType;
}

export class DcaPlanQueryDto extends LadderSettingsDto {
  @ApiProperty({ example: 'BTC/USDT' })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An exchange account (default: the paper account)' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class LadderOrderDto {
  @ApiProperty({ example: 1, description: '0: the base order; n: the nth safety order' })
  index!: number;
  @ApiProperty({ example: 1.5, description: 'Cumulative distance below the base price, percent' })
  deviation!: number;
  @ApiProperty({ example: 49250, description: "To the market's tick" })
  price!: number;
  @ApiProperty({ example: 0.0004, description: "Base amount, down to the market's step" })
  amount!: number;
  @ApiProperty({ example: 20, description: 'Quote size the formula plans' })
  volume!: number;
  @ApiProperty({ example: 19.7, description: 'amount × price' })
  cost!: number;
  @ApiProperty({ example: 0.0006 })
  cumulativeAmount!: number;
  @ApiProperty({ example: 29.7 })
  cumulativeCost!: number;
  @ApiProperty({ example: 49500, description: 'Average entry if filled down to this order' })
  averageEntry!: number;
  @ApiProperty({ example: 50242.5, description: 'Take-profit price if filled down to this order' })
  takeProfitPrice!: number;
}

export class LadderSettingsViewDto {
  @ApiProperty({ example: 10 })
  baseOrderVolume!: number;
  @ApiProperty({ example: 20 })
  safetyOrderVolume!: number;
  @ApiProperty({ enum: VOLUME_TYPES })
  volumeType!: VolumeType;
  @ApiProperty({ example: 5 })
  maxSafetyOrders!: number;
  @ApiProperty({ example: 1.5 })
  priceDeviation!: number;
  @ApiProperty({ example: 1.5 })
  volumeScale!: number;
  @ApiProperty({ example: 1.2 })
  stepScale!: number;
  @ApiProperty({ example: 1.5 })
  takeProfit!: number;
  @ApiProperty({ enum: TAKE_PROFIT_TYPES })
  takeProfitType!: TakeProfitType;
}

export class DcaPlanDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ example: 'USDT' })
  quoteCurrency!: string;
  @ApiProperty({ example: 50000, description: 'The base price: the ask now' })
  price!: number;
  @ApiProperty({ example: 0.01, description: "The market's tick: prices are rounded to it" })
  priceStep!: number;
  @ApiProperty({ example: 0.00001, description: "The market's amount step: amounts are rounded down to it" })
  amountStep!: number;
  @ApiProperty({ type: LadderSettingsViewDto, description: 'The settings in force, defaults filled in' })
  settings!: LadderSettingsViewDto;
  @ApiProperty({ type: [LadderOrderDto] })
  orders!: LadderOrderDto[];
  @ApiProperty({
    example: 273.75,
    description: 'base + SO · (v^N − 1)/(v − 1): the capital the full ladder needs',
  })
  totalCapital!: number;
  @ApiProperty({ example: 272.9, description: 'The same from the rounded amounts and prices' })
  totalCost!: number;
  @ApiProperty({ example: 11.1624, description: 'Deepest safety order below the base price, percent' })
  maxDeviation!: number;
  @ApiProperty({ example: 10000, description: 'Free quote balance of the account' })
  freeBalance!: number;
  @ApiProperty({
    example: true,
    description: 'Whether the free balance funds the whole ladder (fees included)',
  })
  fundable!: boolean;
}
