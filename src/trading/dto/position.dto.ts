import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsPositive } from 'class-validator';
import { PageOf } from '../../platform/http/page.dto';

export class ClosePositionDto {
  @ApiPropertyOptional({ example: 0.005, description: 'Part of the position to close; all when absent' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  amount?: number;
}

export class PositionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ enum: ['long', 'short'] })
  positionSide!: 'long' | 'short';

  @ApiProperty({ example: 0.1, description: 'Open amount (base currency)' })
  amount!: number;

  @ApiProperty({ example: 50000, description: 'Average entry price' })
  entryPrice!: number;

  @ApiProperty({ nullable: true, type: Number })
  stopLoss!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  takeProfit!: number | null;

  @ApiProperty({
    enum: ['long', 'short'],
    description: 'Alias of positionSide, kept for clients of the earlier field name',
  })
  side!: 'long' | 'short';

  @ApiProperty({
    example: 50000,
    description: 'Alias of entryPrice, kept for clients of the earlier field name',
  })
  entry!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Alias of stopLoss, kept for clients of the earlier field name',
  })
  sl!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Alias of takeProfit, kept for clients of the earlier field name',
  })
  tp!: number | null;

  @ApiProperty({ example: 0.1, description: 'Alias of amount, kept for clients of the earlier field name' })
  size!: number;

  @ApiProperty({ enum: ['paper', 'live'] })
  mode!: 'paper' | 'live';

  @ApiProperty({ format: 'date-time' })
  openedAt!: string;

  @ApiProperty({ nullable: true, type: Number })
  currentPrice!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Total PnL in R' })
  pnlR!: number | null;

  @ApiProperty({ description: 'Total PnL, quote currency' })
  pnlUsd!: number;

  @ApiProperty({ nullable: true, type: Number })
  unrealizedPnlR!: number | null;

  @ApiProperty()
  unrealizedPnlUsd!: number;

  @ApiProperty({ enum: ['OPEN', 'CLOSING'] })
  status!: string;
}

export class PositionListDto extends PageOf(PositionDto) {}
