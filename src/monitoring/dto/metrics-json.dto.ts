import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SAMPLE_RETENTION_HOURS } from '../system-sampler.service';

export class ProcessPerformanceDto {
  @ApiProperty({ example: 15.2, description: 'Process CPU since the previous reading, % of all cores' })
  cpuPercent!: number;
  @ApiProperty({ example: 4.8, description: 'Resident memory, % of the host memory' })
  memoryPercent!: number;
  @ApiProperty({ example: 256.5, description: 'Resident memory, MB' })
  memoryUsedMb!: number;
  @ApiProperty({ example: 98.1, description: 'V8 heap in use, MB' })
  heapUsedMb!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 12.3,
    description: "Disk use of the data folder's file system, %",
  })
  diskUsagePercent!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 11,
    description: 'OS threads of the process (Linux; null elsewhere)',
  })
  activeThreads!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 42,
    description: 'Open file descriptors (Linux; null elsewhere)',
  })
  openFiles!: number | null;
  @ApiProperty({ example: 7, description: 'Open TCP sockets: clients, database, exchanges' })
  networkConnections!: number;
  @ApiProperty({ example: 1.9, description: 'Mean event-loop delay since the previous reading, ms' })
  eventLoopLagMs!: number;
  @ApiProperty({ example: 0.62, description: 'One-minute load average of the host' })
  loadAverage!: number;
  @ApiProperty({ example: 3600.5 })
  uptimeSeconds!: number;
}

export class PerformanceResponseDto extends ProcessPerformanceDto {
  @ApiProperty({ example: 1796280000.123, description: 'Unix time of the reading, seconds' })
  timestamp!: number;
}

export class StatsDto {
  @ApiProperty({ example: 100 })
  count!: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.045 })
  mean!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.02 })
  min!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.08 })
  max!: number | null;
}

export class EngineSummaryDto {
  @ApiProperty({
    type: StatsDto,
    description: "Seconds per bot cycle, over this instance's last 1,000 cycles",
  })
  cycleTime!: StatsDto;
  @ApiProperty({
    type: StatsDto,
    description: 'Open positions, over the resource samples of the last hour (every 15 s)',
  })
  positions!: StatsDto;
}

export class TradingSummaryDto {
  @ApiProperty({
    type: StatsDto,
    description: 'Fills per trade, over the trades closed in the last 24 hours',
  })
  events!: StatsDto;
  @ApiProperty({
    type: StatsDto,
    description: 'Realised PnL per trade (quote, fees included), over the same trades',
  })
  pnl!: StatsDto;
}

export class SummaryResponseDto {
  @ApiProperty({ type: ProcessPerformanceDto })
  performance!: ProcessPerformanceDto;
  @ApiProperty({ type: EngineSummaryDto })
  engine!: EngineSummaryDto;
  @ApiProperty({ type: TradingSummaryDto })
  trading!: TradingSummaryDto;
  @ApiProperty({ example: 1796280000.123, description: 'Unix time, seconds' })
  timestamp!: number;
}

export class MetricsPerformanceBriefDto {
  @ApiProperty({ example: 15.2 })
  cpuPercent!: number;
  @ApiProperty({ example: 4.8 })
  memoryPercent!: number;
}

export class MetricsHealthResponseDto {
  @ApiProperty({ enum: ['healthy', 'degraded'], example: 'healthy' })
  status!: 'healthy' | 'degraded';
  @ApiProperty({
    type: [String],
    example: [],
    description: 'What is wrong, in words (resources over limits, samples not stored)',
  })
  issues!: string[];
  @ApiProperty({ example: 1250, description: 'Series in the Prometheus registries' })
  metricsCount!: number;
  @ApiProperty({ type: MetricsPerformanceBriefDto })
  performance!: MetricsPerformanceBriefDto;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'The newest stored resource sample',
  })
  lastSampleAt!: string | null;
  @ApiProperty({ example: 1796280000123, description: 'Unix time, milliseconds' })
  timestamp!: number;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: SAMPLE_RETENTION_HOURS, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SAMPLE_RETENTION_HOURS)
  hours: number = 1;
}

export class TradingFiguresDto {
  @ApiProperty({ example: 45, description: 'Trades closed' })
  totalTrades!: number;
  @ApiProperty({ example: 30, description: 'Closed with a profit' })
  successfulTrades!: number;
  @ApiProperty({ example: 15, description: 'Closed without one' })
  failedTrades!: number;
  @ApiProperty({ example: 125.5, description: 'Realised PnL, quote, fees included' })
  totalPnl!: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.667, description: 'null without closed trades' })
  winRate!: number | null;
  @ApiProperty({ example: 96 })
  orders!: number;
  @ApiProperty({ example: 1 })
  rejectedOrders!: number;
  @ApiProperty({ example: 120 })
  fills!: number;
}

export class SystemFiguresDto {
  @ApiProperty({ nullable: true, type: Number, example: 12.5, description: 'Mean CPU of the samples, %' })
  avgCpuUsage!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 43.2, description: 'Mean memory of the samples, %' })
  avgMemoryUsage!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 45,
    description: 'Largest mean event-loop lag of a sample, ms',
  })
  maxLatencyMs!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 99.98,
    description:
      'Share of the 15-second slots with a stored sample, from the first one in the period; null without any',
  })
  uptimePercentage!: number | null;
  @ApiProperty({ example: 240 })
  samples!: number;
}

export class ExchangeFiguresDto {
  @ApiProperty({ example: 1250, description: 'Exchange API requests (ccxt HTTP calls)' })
  apiCalls!: number;
  @ApiProperty({ example: 2 })
  failedCalls!: number;
  @ApiProperty({ nullable: true, type: Number, example: 85, description: 'null without requests' })
  avgResponseTimeMs!: number | null;
}

export class PeriodFiguresDto {
  @ApiProperty({ type: TradingFiguresDto })
  trading!: TradingFiguresDto;
  @ApiProperty({ type: SystemFiguresDto })
  system!: SystemFiguresDto;
  @ApiProperty({ type: ExchangeFiguresDto })
  exchange!: ExchangeFiguresDto;
}

export class HourlyFiguresDto extends PeriodFiguresDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-12-03T10:00:00.000Z',
    description: 'The hour it starts',
  })
  hour!: string;
}

export class HistoryResponseDto {
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
  @ApiProperty({ example: 1 })
  periodHours!: number;
  @ApiProperty({ type: PeriodFiguresDto, description: 'Over the whole period' })
  metrics!: PeriodFiguresDto;
  @ApiProperty({ type: [HourlyFiguresDto], description: 'Each hour of the period, oldest first' })
  hourly!: HourlyFiguresDto[];
}
