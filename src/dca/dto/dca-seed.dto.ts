import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsNumberString,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';

export class DcaStatusDto {
  @ApiProperty({ example: true, description: 'The runtime setting dca.enabled' })
  enabled!: boolean;
  @ApiProperty({ example: 3, description: 'Open trades with DCA on' })
  activeTrades!: number;
  @ApiProperty({ example: 15, description: 'DCA orders placed (safety orders and manual ones)' })
  totalAttempts!: number;
  @ApiProperty({ example: 12, description: 'Of those, filled' })
  successfulAttempts!: number;
  @ApiProperty({ example: '80%' })
  successRate!: string;
  @ApiProperty({ example: 5000, description: 'Quote spent by the filled ones' })
  totalVolume!: number;
  @ApiProperty({ example: 2.5, description: 'DCA orders per trade that had any' })
  averageAttemptsPerTrade!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 9000,
    description: "Mean time from a trade's first DCA fill to its profitable close, seconds",
  })
  averageRecoveryTime!: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastExecution!: string | null;
}

export class DcaExecuteDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tradeId!: string;

  @ApiPropertyOptional({
    example: '0.0005',
    description: 'Base amount to buy (default: dca.baseVolume of quote at the ask)',
  })
  @IsOptional()
  @IsNumberString()
  @Length(1, 40)
  volume?: string;

  @ApiPropertyOptional({ example: 'manual_dca', default: 'manual_dca' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  reason?: string;
}

export class DcaExecutionDto {
  @ApiProperty({ format: 'uuid' })
  tradeId!: string;
  @ApiProperty({ example: 3, description: "This attempt's number on the trade" })
  dcaAttempt!: number;
  @ApiProperty({ format: 'uuid' })
  orderId!: string;
  @ApiProperty({ example: 0.0005, description: 'Base amount bought' })
  volume!: number;
  @ApiProperty({ nullable: true, type: Number, example: 44800 })
  price!: number | null;
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
  @ApiProperty({ nullable: true, type: Number, example: 45120.5 })
  newAverageEntry!: number | null;
  @ApiProperty({ example: true })
  success!: boolean;
  @ApiProperty({ example: 'manual_dca' })
  reason!: string;
}

export class DcaHistoryQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  tradeId?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startDate?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  endDate?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;
}

export class DcaAttemptDto {
  @ApiProperty({ format: 'uuid', description: 'The order' })
  id!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  tradeId!: string | null;
  @ApiProperty({ example: 1 })
  attempt!: number;
  @ApiProperty({ example: 0.0005, description: 'Base amount ordered' })
  volume!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 44800,
    description: 'Fill price; the limit price while resting',
  })
  price!: number | null;
  @ApiProperty({ example: 'limit' })
  type!: string;
  @ApiProperty({ example: 'FILLED' })
  status!: string;
  @ApiProperty({ example: true, description: 'Filled' })
  success!: boolean;
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}

export class DcaHistoryDto {
  @ApiProperty({ type: [DcaAttemptDto] })
  dcaAttempts!: DcaAttemptDto[];
  @ApiProperty({ example: 1, description: 'Attempts matching the filters (all pages)' })
  count!: number;
  @ApiProperty({ example: '80%' })
  successRate!: string;
}
