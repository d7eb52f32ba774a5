import { IsSymbolList } from '../../market/dto/symbol-list.decorator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Timeframe, TIMEFRAMES } from '../../market/timeframes';
import { PRESET_KINDS, PresetKind, ScoreMetric, STRATEGY_TYPES, StrategyType } from '../preset-config';
import { DcaBotChangesDto } from './dca-preset.dto';
import { PresetMlChangesDto } from './ml-preset.dto';

const finite = { allowNaN: false, allowInfinity: false };

// ---- requests ---------------------------------------------------------------------------------

export class PresetRiskChangesDto {
  @ApiPropertyOptional({ example: 0.006, minimum: 0.0001, maximum: 0.1 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0.0001)
  @Max(0.1)
  riskPerTrade?: number;

  @ApiPropertyOptional({ type: 'integer', example: 3, minimum: 1, maximum: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  maxConcurrentPositions?: number;

  @ApiPropertyOptional({ example: 3, minimum: 0.1, maximum: 100 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0.1)
  @Max(100)
  dailyLossLimitR?: number;

  @ApiPropertyOptional({ type: 'integer', example: 4, minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxConsecutiveLosses?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 240,
    minimum: 1,
    maximum: 10080,
    description: 'How long a losing streak of maxConsecutiveLosses pauses the bot',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_080)
  streakPauseMinutes?: number;

  @ApiPropertyOptional({ type: 'integer', example: 240, minimum: 1, maximum: 525600 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(525_600)
  maxHoldMinutes?: number;

  @ApiPropertyOptional({ example: 1, minimum: 0.1, maximum: 20, nullable: true, type: Number })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber(finite)
  @Min(0.1)
  @Max(20)
  trailingStopR?: number | null;
}

export class ScannerFiltersChangesDto {
  @ApiPropertyOptional({ example: 1000000, minimum: 0 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  minQuoteVolume24h?: number;

  @ApiPropertyOptional({ example: 0.0005, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  minAtrPct?: number;

  @ApiPropertyOptional({ example: 0.05, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  maxAtrPct?: number;

  @ApiPropertyOptional({ example: 1.2, minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(100)
  minVolumeSurge?: number;
}

/** One optional weight per scanner metric, each 0..1. */
export class ScoreWeightsDto implements Partial<Record<ScoreMetric, number>> {
  @ApiPropertyOptional({ example: 0.35, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  volSurge?: number;

  @ApiPropertyOptional({
    example: 0.2,
    minimum: 0,
    maximum: 1,
    description: 'Counts only where open interest exists',
  })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  oiDelta?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  atrPct?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  liquidity?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  volatility?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Closeness of the price to the range high' })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(1)
  rangeProximity?: number;
}

export class ScannerConfigChangesDto {
  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    example: ['BTC/USDT', 'ETH/USDT'],
    description: 'null: the whole market',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsSymbolList(500)
  universe?: string[] | null;

  @ApiPropertyOptional({ type: 'integer', example: 10, minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxCandidates?: number;

  @ApiPropertyOptional({ type: 'integer', example: 60, minimum: 5, maximum: 86400 })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(86_400)
  scanIntervalSeconds?: number;

  @ApiPropertyOptional({ type: ScannerFiltersChangesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScannerFiltersChangesDto)
  filters?: ScannerFiltersChangesDto;

  @ApiPropertyOptional({ type: ScoreWeightsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScoreWeightsDto)
  scoreWeights?: ScoreWeightsDto;
}

export class StrategyChoiceDto {
  @ApiPropertyOptional({ example: 'breakout', description: 'A name from GET /api/strategies' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  name?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { lookback: 30 },
    description: "Overrides of the strategy's parameters; unknown names are refused",
  })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;
}

/** PUT /api/presets/:name: any part of the configuration; nested objects are merged into the stored one. */
export class UpdatePresetDto {
  @ApiPropertyOptional({
    enum: PRESET_KINDS,
    description:
      "`strategy`: entries on the strategy's signals under the risk rules; `dca`: DCA deals with safety orders (settings in `dca`)",
  })
  @IsOptional()
  @IsIn(PRESET_KINDS)
  kind?: PresetKind;

  @ApiPropertyOptional({ example: 'Liquid markets momentum breakout strategy' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  description?: string;

  @ApiPropertyOptional({ enum: STRATEGY_TYPES })
  @IsOptional()
  @IsIn(STRATEGY_TYPES)
  strategyType?: StrategyType;

  @ApiPropertyOptional({ type: StrategyChoiceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StrategyChoiceDto)
  strategy?: StrategyChoiceDto;

  @ApiPropertyOptional({ enum: TIMEFRAMES })
  @IsOptional()
  @IsIn(TIMEFRAMES)
  timeframe?: Timeframe;

  @ApiPropertyOptional({ type: PresetRiskChangesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PresetRiskChangesDto)
  risk?: PresetRiskChangesDto;

  @ApiPropertyOptional({ type: ScannerConfigChangesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScannerConfigChangesDto)
  scannerConfig?: ScannerConfigChangesDto;

  @ApiPropertyOptional({
    type: DcaBotChangesDto,
    description: 'A `dca` preset only: its deal settings and how its bots open deals',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => DcaBotChangesDto)
  dca?: DcaBotChangesDto;

  @ApiPropertyOptional({
    type: PresetMlChangesDto,
    nullable: true,
    description:
      'A strategy preset: use the active ML model as a filter of its buys or as its signal; null: none',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => PresetMlChangesDto)
  ml?: PresetMlChangesDto | null;
}

/**
 * POST /api/presets: a name and a strategy (or `kind: dca`); what is left out comes from the built-in
 * preset of that strategy (dca_conservative_v1 for a DCA preset).
 */
export class CreatePresetDto extends UpdatePresetDto {
  @ApiProperty({ example: 'breakout_fast', pattern: '^[a-z0-9][a-z0-9_-]{1,63}$' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{1,63}$/, {
    message: 'name must be 2-64 lowercase letters, digits, _ or -, starting with a letter or digit',
  })
  name!: string;
}
