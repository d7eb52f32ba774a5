import { ApiProperty } from '@nestjs/swagger';

export class SystemStatusDto {
  @ApiProperty({ enum: ['operational', 'degraded', 'down'], example: 'operational' })
  status!: 'operational' | 'degraded' | 'down';

  @ApiProperty({ example: 3600 })
  uptimeSeconds!: number;

  @ApiProperty({ example: '0.1.0' })
  version!: string;

  @ApiProperty({ enum: ['development', 'production', 'test'], example: 'production' })
  environment!: string;
}

export class DatabaseStatusDto {
  @ApiProperty({ enum: ['postgres', 'pglite'] })
  driver!: string;

  @ApiProperty({ example: true })
  connected!: boolean;

  @ApiProperty({ example: 0.8, description: 'Round trip of SELECT 1' })
  latencyMs!: number;

  @ApiProperty({ example: 4, description: 'Connections to this database' })
  connections!: number;

  @ApiProperty({ example: 100 })
  maxConnections!: number;
}

export class PerformanceStatusDto {
  @ApiProperty({ example: 15.2, description: 'Process CPU, % of all cores' })
  cpuUsage!: number;

  @ApiProperty({ example: 45.7, description: 'Process resident memory, % of the host' })
  memoryUsage!: number;

  @ApiProperty({
    example: 23.1,
    nullable: true,
    type: Number,
    description: 'Disk of the data folder, % used',
  })
  diskUsage!: number | null;

  @ApiProperty({ example: 1.2 })
  eventLoopLagMs!: number;
}

export class BackfillProgressDto {
  @ApiProperty({ enum: ['pending', 'running', 'done', 'failed', 'disabled'] })
  state!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  from!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  to!: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description:
      'Every symbol has every minute from this time to `to`: the history is filled newest day first, so recent candles come first',
  })
  completeFrom!: string | null;

  @ApiProperty({ example: 30 })
  symbols!: number;

  @ApiProperty({ example: 1296000, description: 'One-minute candles to store' })
  totalCandles!: number;

  @ApiProperty({ example: 648000 })
  storedCandles!: number;

  @ApiProperty({ example: 50 })
  percent!: number;

  @ApiProperty({ nullable: true, type: Number, example: 45000 })
  candlesPerSecond!: number | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finishedAt!: string | null;

  @ApiProperty({ nullable: true, type: String })
  error!: string | null;
}

export class MarketStatusDto {
  @ApiProperty({ enum: ['simulated', 'none'], description: 'Where market data comes from' })
  source!: string;

  @ApiProperty({ example: 42, nullable: true, type: Number })
  seed!: number | null;

  @ApiProperty({ example: 30 })
  symbols!: number;

  @ApiProperty({ type: BackfillProgressDto })
  backfill!: BackfillProgressDto;
}

export class ExchangeStatusDto {
  @ApiProperty({ example: true })
  connected!: boolean;

  @ApiProperty({ example: 'paper', nullable: true, type: String })
  name!: string | null;

  @ApiProperty({ example: false })
  testnet!: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastPing!: string | null;
}

export class StatusResponseDto {
  @ApiProperty({ type: SystemStatusDto })
  system!: SystemStatusDto;

  @ApiProperty({ type: DatabaseStatusDto })
  database!: DatabaseStatusDto;

  @ApiProperty({ type: ExchangeStatusDto })
  exchange!: ExchangeStatusDto;

  @ApiProperty({ type: PerformanceStatusDto })
  performance!: PerformanceStatusDto;

  @ApiProperty({ type: MarketStatusDto })
  market!: MarketStatusDto;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
