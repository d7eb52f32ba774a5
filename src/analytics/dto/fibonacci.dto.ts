import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { queryBoolean } from '../../platform/http/page.dto';
import { AnalyticsScopeQueryDto } from './equity.dto';

const LEVELS_EXAMPLE = {
  '0': 47200,
  '0.236': 46300,
  '0.382': 45700,
  '0.5': 45250,
  '0.618': 44800,
  '0.786': 44150,
  '1': 43300,
  '1.618': 49600,
  '2.618': 53500,
  '4.236': 59800,
};
const levels = (description: string) =>
  ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: LEVELS_EXAMPLE,
    description,
  });

export class FibonacciQueryDto extends AnalyticsScopeQueryDto {
  @ApiPropertyOptional({
    example: 'BTC/USDT',
    description: 'Default: the symbols held, else BTC/USDT and ETH/USDT',
  })
  @IsOptional()
  @IsString()
  @Length(3, 40)
  symbol?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'Recompute now instead of the answer cached up to 60 s',
  })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  refresh?: boolean;
}

export class FibSwingDto {
  @ApiProperty({ example: 47200 })
  high!: number;
  @ApiProperty({ example: 43300 })
  low!: number;
  @ApiProperty({ description: 'Open time of the candle that made the high (epoch ms)' })
  highAt!: number;
  @ApiProperty()
  lowAt!: number;
  @ApiProperty({ enum: ['up', 'down'], description: 'up: the low came first' })
  direction!: 'up' | 'down';
}

export class FibonacciSymbolDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ type: Number, nullable: true })
  price!: number | null;
  @ApiProperty({
    type: FibSwingDto,
    nullable: true,
    description: 'Highest high and lowest low of the last 100 stored hourly candles',
  })
  swing!: FibSwingDto | null;
  @levels('Retracements from the swing end (0) to its start (1); extensions 1.618-4.236 past its end')
  levels!: Record<string, number>;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.41,
    description: 'Where the price sits: 0 at the swing end, 1 at its start',
  })
  retracement!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.382 })
  nearestLevel!: number | null;
  @ApiProperty({ type: 'array', items: { type: 'number', nullable: true }, example: [0.382, 0.5] })
  between!: [number | null, number | null];
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.75,
    description: 'Closeness of the price to a retracement level (0-1)',
  })
  priceHarmony!: number | null;
}

export class FibonacciPositionDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ enum: ['long', 'short'] })
  side!: 'long' | 'short';
  @ApiProperty({ example: 0.05, description: 'Open amount' })
  contracts!: number;
  @ApiProperty({ example: 45000 })
  entryPrice!: number;
  @ApiProperty({ type: Number, nullable: true })
  currentPrice!: number | null;
  @ApiProperty({ example: 110 })
  unrealizedPnl!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.92,
    description: "Closeness of the entry to a level of its symbol's swing",
  })
  entryHarmony!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.618 })
  nearestLevel!: number | null;
  @levels("The symbol's swing levels")
  fibonacciLevels!: Record<string, number>;
}

export class FibonacciPositionsDto {
  @ApiProperty({ type: [FibonacciPositionDto] })
  long!: FibonacciPositionDto[];
  @ApiProperty({ type: [FibonacciPositionDto] })
  short!: FibonacciPositionDto[];
}

export class PositionBalanceDto {
  @ApiProperty({ example: 'long:short' })
  ratioType!: string;
  @ApiProperty({ example: 0.618 })
  optimalValue!: number;
  @ApiProperty({ example: 0.587, description: "The smaller side's exposure over the larger's" })
  currentRatio!: number;
  @ApiProperty({ example: 0.95, description: '1 − |ratio − 0.618| / 0.618, in 0-1' })
  balanceScore!: number;
}

export class HarmonyComponentsDto {
  @ApiProperty({ type: Number, nullable: true, description: "Mean of the positions' entry harmony" })
  positionHarmony!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Win rate against 0.618' })
  winRateHarmony!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Profit factor against 2.618' })
  profitFactorHarmony!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Average win / average loss against 1.618' })
  pnlDistributionHarmony!: number | null;
}

export class HarmonicStateDto {
  @ApiProperty({ type: Number, nullable: true, example: 0.76, description: 'Mean of the component scores' })
  harmonyScore!: number | null;
  @ApiProperty({
    example: 'Balanced Flow',
    description: '≥ 0.8 Golden Harmony, ≥ 0.6 Balanced Flow, ≥ 0.4 Mild Dissonance, else Dissonance',
  })
  state!: string;
  @ApiProperty({ type: HarmonyComponentsDto })
  componentScores!: HarmonyComponentsDto;
}

export class FibonacciPerformanceDto {
  @ApiProperty({ type: Number, nullable: true })
  winRate!: number | null;
  @ApiProperty({ example: 0.618 })
  winRateTarget!: number;
  @ApiProperty({ type: Number, nullable: true })
  winRateAlignment!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  profitFactor!: number | null;
  @ApiProperty({ example: 2.618 })
  profitFactorTarget!: number;
  @ApiProperty({ type: Number, nullable: true })
  profitFactorAlignment!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  phiResonance!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "Mean of the closed trades' Fibonacci alignment",
  })
  fibonacciAlignment!: number | null;
}

export class FibonacciDto {
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
  @ApiProperty({ format: 'date-time', description: 'When it was computed (answers are cached 60 s)' })
  cachedAt!: string;
  @ApiProperty({ example: 'all' })
  scope!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.78,
    description: 'Mean of the harmony score, the position balance score and the Fibonacci alignment',
  })
  phiResonance!: number | null;
  @ApiProperty({ type: PositionBalanceDto })
  positionBalance!: PositionBalanceDto;
  @ApiProperty({ type: HarmonicStateDto })
  harmonicState!: HarmonicStateDto;
  @ApiProperty({ type: [FibonacciSymbolDto] })
  symbols!: FibonacciSymbolDto[];
  @ApiProperty({ type: FibonacciPositionsDto })
  positions!: FibonacciPositionsDto;
  @ApiProperty({ type: FibonacciPerformanceDto })
  performance!: FibonacciPerformanceDto;
}

export class SymbolEnergyDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ type: Number, nullable: true, example: 62.5 })
  marketEnergy!: number | null;
}

export class BioEnergyDto {
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
  @ApiProperty({ example: 'all' })
  scope!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 62.5,
    description:
      '0-100, mean over the symbols of 40 % momentum (50 + 50·tanh(24 h change % / 5)), 30 % volume surge (last hour / mean of the 24 before, 3× = 100), 30 % volatility (mean hourly range / price, 2 % = 100)',
  })
  marketEnergy!: number | null;
  @ApiProperty({
    example: 55.1,
    description: "0-100: 50 + 50·tanh(20 × the positions' unrealised PnL / their cost); 50 with none",
  })
  positionEnergy!: number;
  @ApiProperty({ type: Number, nullable: true, example: 58.8, description: 'Mean of the two' })
  combinedEnergy!: number | null;
  @ApiProperty({
    example: 'Harmonic Flow',
    description: '≥ 75 High Resonance, ≥ 55 Harmonic Flow, ≥ 45 Neutral, ≥ 25 Low Energy, else Depleted',
  })
  energyState!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 71,
    description: "0-100: mean closeness of each symbol's price to a retracement level of its swing",
  })
  fibAlignment!: number | null;
  @ApiProperty({ type: [SymbolEnergyDto] })
  symbols!: SymbolEnergyDto[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  unavailable!: Record<string, string>;
}
