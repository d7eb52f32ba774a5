import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { Timeframe, TIMEFRAMES } from '../../market/timeframes';
import {
  PRESET_KINDS,
  PresetKind,
  SCORE_METRICS,
  ScoreMetric,
  STRATEGY_TYPES,
  StrategyType,
} from '../preset-config';
import { DcaBotConfigDto } from './dca-preset.dto';
import { PresetMlDto } from './ml-preset.dto';

// What the preset routes answer.

export class PresetRiskDto {
  @ApiProperty({ example: 0.006 })
  riskPerTrade!: number;
  @ApiProperty({ example: 3 })
  maxConcurrentPositions!: number;
  @ApiProperty({ example: 3 })
  dailyLossLimitR!: number;
  @ApiProperty({ example: 4 })
  maxConsecutiveLosses!: number;
  @ApiProperty({ example: 240, description: 'How long a losing streak pauses the bot' })
  streakPauseMinutes!: number;
  @ApiProperty({ example: 240 })
  maxHoldMinutes!: number;
  @ApiProperty({ example: 1, nullable: true, type: Number })
  trailingStopR!: number | null;
}

export class ScannerFiltersDto {
  @ApiProperty({ example: 1000000 })
  minQuoteVolume24h!: number;
  @ApiProperty({ example: 0.0005 })
  minAtrPct!: number;
  @ApiProperty({ example: 0.05 })
  maxAtrPct!: number;
  @ApiProperty({ example: 0 })
  minVolumeSurge!: number;
}

export class ScannerConfigDto {
  @ApiProperty({ type: [String], nullable: true })
  universe!: string[] | null;
  @ApiProperty({ example: 10 })
  maxCandidates!: number;
  @ApiProperty({ example: 60 })
  scanIntervalSeconds!: number;
  @ApiProperty({ type: ScannerFiltersDto })
  filters!: ScannerFiltersDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { volSurge: 0.35, oiDelta: 0.2 },
    description: `Weights (0..1) of the metrics ${SCORE_METRICS.join(', ')}`,
  })
  scoreWeights!: Partial<Record<ScoreMetric, number>>;
}

export class PresetStrategyDto {
  @ApiProperty({ example: 'breakout' })
  name!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { lookback: 20 } })
  parameters!: Record<string, number>;
}

export class PresetConfigDto {
  @ApiProperty({ enum: PRESET_KINDS })
  kind!: PresetKind;
  @ApiProperty({ example: 'Liquid markets momentum breakout strategy' })
  description!: string;
  @ApiProperty({ enum: STRATEGY_TYPES })
  strategyType!: StrategyType;
  @ApiProperty({ type: PresetStrategyDto })
  strategy!: PresetStrategyDto;
  @ApiProperty({ enum: TIMEFRAMES })
  timeframe!: Timeframe;
  @ApiProperty({ type: PresetRiskDto })
  risk!: PresetRiskDto;
  @ApiProperty({ type: ScannerConfigDto })
  scannerConfig!: ScannerConfigDto;
  @ApiPropertyOptional({ type: DcaBotConfigDto, nullable: true, description: 'A `dca` preset only' })
  dca?: DcaBotConfigDto | null;
  @ApiPropertyOptional({ type: PresetMlDto, nullable: true, description: 'The ML model it uses, if any' })
  ml?: PresetMlDto | null;
}

export class PresetDetailDto {
  @ApiProperty({ example: 'breakout_v1' })
  name!: string;
  @ApiProperty({ description: 'Seeded with the installation: editable, not deletable' })
  builtin!: boolean;
  @ApiProperty({ type: PresetConfigDto })
  config!: PresetConfigDto;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class PresetSummaryDto {
  @ApiProperty({ example: 'breakout_v1' })
  name!: string;
  @ApiProperty({ enum: PRESET_KINDS })
  kind!: PresetKind;
  @ApiProperty({ example: 'Liquid markets momentum breakout strategy' })
  description!: string;
  @ApiProperty({ example: 0.006 })
  riskPerTrade!: number;
  @ApiProperty({ example: 3 })
  maxPositions!: number;
  @ApiProperty({ enum: STRATEGY_TYPES, example: 'momentum' })
  strategyType!: StrategyType;
  @ApiProperty({ example: 'breakout' })
  strategy!: string;
  @ApiProperty({ enum: TIMEFRAMES })
  timeframe!: Timeframe;
  @ApiProperty()
  builtin!: boolean;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class PresetListDto extends PageOf(PresetSummaryDto) {}
