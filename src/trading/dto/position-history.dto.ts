import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';

export class PositionHistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  override limit: number = 20;
}

export class AddClosedPositionDto {
  @ApiProperty({ example: 'BTCUSDT' })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiProperty({ enum: ['long', 'short'] })
  @IsIn(['long', 'short'])
  side!: 'long' | 'short';

  @ApiProperty({ example: 42000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  entryPrice!: number;

  @ApiProperty({ example: 45000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  exitPrice!: number;

  @ApiProperty({ example: 1, description: 'Amount (base currency or contracts)' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  contracts!: number;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601()
  entryTime!: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601()
  exitTime!: string;

  @ApiPropertyOptional({ example: 4.2, description: 'Fees paid, quote currency (default 0)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  fees?: number;

  @ApiPropertyOptional({ example: 'bitget', pattern: '^[a-z0-9]{2,32}$', description: 'Where it was traded' })
  @IsOptional()
  @Matches(/^[a-z0-9]{2,32}$/, { message: 'exchange must be 2 to 32 of a-z 0-9' })
  exchange?: string;
}

export class ClosedPositionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ enum: ['long', 'short'] })
  side!: 'long' | 'short';

  @ApiProperty({ example: 42000 })
  entryPrice!: number;

  @ApiProperty({ example: 45000 })
  exitPrice!: number;

  @ApiProperty({ example: 1, description: 'Amount traded (base currency or contracts)' })
  amount!: number;

  @ApiProperty({ example: 1, description: 'Alias of amount, kept for clients of the earlier field name' })
  contracts!: number;

  @ApiProperty({ example: 3000, description: 'After fees' })
  realizedPnl!: number;

  @ApiProperty({ format: 'date-time' })
  entryTime!: string;

  @ApiProperty({ format: 'date-time' })
  exitTime!: string;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Entry price against the Fibonacci levels of the prior 24 h swing',
  })
  entryHarmony!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Exit price against the Fibonacci levels of the prior 24 h swing',
  })
  exitHarmony!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The move against Fibonacci extensions of the entry swing',
  })
  fibonacciAlignment!: number | null;

  @ApiProperty({ nullable: true, type: String, example: 'take_profit' })
  closeReason!: string | null;

  @ApiProperty({ enum: ['api', 'bot', 'import', '3commas'] })
  source!: string;

  @ApiProperty({ example: 'paper' })
  exchange!: string;
}

export class ClosedPositionListDto extends PageOf(ClosedPositionDto) {
  @ApiProperty({ type: 'integer', example: 42, description: 'Same as total: closed positions on all pages' })
  count!: number;
}

export class AddClosedPositionResultDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Position added to history' })
  message!: string;
}
