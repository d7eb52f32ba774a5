import { IsSymbolList } from '../../market/dto/symbol-list.decorator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export class ScanRequestDto {
  @ApiProperty({ example: 'breakout_v1' })
  @IsString()
  @Length(1, 64)
  preset!: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 10,
    minimum: 1,
    maximum: 500,
    description: "Default: the preset's maxCandidates",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['BTC/USDT', 'ETH/USDT'],
    description: "Default: the preset's universe",
  })
  @IsOptional()
  @IsSymbolList(500)
  symbols?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: "An exchange account: scans that exchange's candles instead of the simulated market",
  })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class CandidateFiltersDto {
  @ApiProperty({ description: '24 h quote volume at least the minimum' })
  liquidity!: boolean;
  @ApiProperty({ description: 'ATR % of 15m candles within the band' })
  volatility!: boolean;
  @ApiProperty({ description: 'Volume surge of the last hour at least the minimum' })
  volumeSurge!: boolean;
}

export class CandidateMetricsDto {
  @ApiProperty({ example: 61250.5 })
  price!: number;
  @ApiProperty({ example: 1.5 })
  volSurge1h!: number;
  @ApiProperty({ example: 0.02 })
  atr15mPct!: number;
  @ApiProperty({ example: 125000000 })
  quoteVolume24h!: number;
  @ApiProperty({ example: 0.031, description: 'Daily volatility of hourly log returns' })
  volatility!: number;
  @ApiProperty({ example: 0.92, description: '0 at the range low, 1 at its high' })
  rangeProximity!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Open interest change; null on spot markets' })
  oiDelta!: number | null;
}

export class CandidateLevelsDto {
  @ApiProperty({ example: 51000 })
  high!: number;
  @ApiProperty({ example: 49000 })
  low!: number;
}

export class CandidateDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ example: 0.85, minimum: 0, maximum: 1 })
  score!: number;
  @ApiProperty({ type: CandidateFiltersDto })
  filters!: CandidateFiltersDto;
  @ApiProperty({ type: CandidateMetricsDto })
  metrics!: CandidateMetricsDto;
  @ApiProperty({ type: CandidateLevelsDto })
  levels!: CandidateLevelsDto;
}

export class ScanResultDto {
  @ApiProperty({ example: 'breakout_v1' })
  preset!: string;
  @ApiProperty({
    example: 'simulated',
    description: 'Whose candles were scanned: simulated, or an exchange id',
  })
  exchange!: string;
  @ApiProperty({ type: [CandidateDto], description: 'Symbols that passed the filters, best score first' })
  candidates!: CandidateDto[];
  @ApiProperty({ example: 30 })
  totalScanned!: number;
  @ApiProperty({ example: 3 })
  passedFilters!: number;
  @ApiProperty({ format: 'date-time' })
  scannedAt!: string;
  @ApiProperty({ example: 42.5 })
  durationMs!: number;
}

export class ScannerStatusDto {
  @ApiProperty({ enum: ['idle', 'scanning'] })
  status!: 'idle' | 'scanning';
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastScan!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'breakout_v1' })
  lastPreset!: string | null;
  @ApiProperty({ example: 3 })
  candidatesFound!: number;
  @ApiProperty({ example: 30 })
  totalScanned!: number;
  @ApiProperty({ nullable: true, type: Number, example: 1250 })
  scanDurationMs!: number | null;
  @ApiProperty({ example: 12, description: 'Scans since the start of this instance' })
  scans!: number;
}
