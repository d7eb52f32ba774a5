import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { AnalyticsScopeQueryDto } from './equity.dto';

const PERIOD_VALUES = ['1d', '7d', '30d', '90d', '1y', 'all'] as const;

export class PerformanceQueryDto extends AnalyticsScopeQueryDto {
  @ApiPropertyOptional({ enum: PERIOD_VALUES, default: '30d' })
  @IsOptional()
  @IsIn(PERIOD_VALUES)
  period?: (typeof PERIOD_VALUES)[number];

  @ApiPropertyOptional({
    example: 'BTC/USDT',
    description: 'Trade metrics of one symbol (equity ones are per scope)',
  })
  @IsOptional()
  @IsString()
  @Length(3, 40)
  symbol?: string;
}

export class DailyReturnDto {
  @ApiProperty({ example: '2026-11-20' })
  date!: string;
  @ApiProperty({ example: 0.0042, description: 'Change of the daily equity close (share)' })
  return!: number;
}

export class SymbolPerformanceDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ example: 12 })
  trades!: number;
  @ApiProperty({ example: 41.2, description: 'Realised PnL, USDT' })
  pnl!: number;
  @ApiProperty({ example: 1.8, description: 'PnL over the entries cost, percent' })
  pnlPercent!: number;
  @ApiProperty({ example: 0.58 })
  winRate!: number;
}

const nullableNumber = (example: number, description?: string) =>
  ApiProperty({ type: Number, nullable: true, example, ...(description ? { description } : {}) });

export class PerformanceDto {
  @ApiProperty({ enum: PERIOD_VALUES })
  period!: string;
  @ApiProperty({ example: 'bot:dca-btc', description: 'bot:<name>, exchange:<id>, paper:<name> or all' })
  scope!: string;
  @ApiProperty({ type: String, nullable: true, example: null })
  symbol!: string | null;
  @ApiProperty({ format: 'date-time' })
  from!: string;
  @ApiProperty({ format: 'date-time' })
  to!: string;
  @nullableNumber(0.042, 'Last daily equity close over the first, − 1')
  totalReturn!: number | null;
  @nullableNumber(0.65, '(end / start)^(365 / days) − 1')
  cagr!: number | null;
  @nullableNumber(0.4, 'Std (ddof 1) of daily returns × √365')
  volatility!: number | null;
  @nullableNumber(1.8, 'Mean / std (ddof 1) of daily returns × √365, risk-free 0')
  sharpeRatio!: number | null;
  @nullableNumber(2.6, 'Mean / downside deviation (over all days) × √365')
  sortinoRatio!: number | null;
  @nullableNumber(3.1, 'CAGR / max drawdown')
  calmarRatio!: number | null;
  @nullableNumber(0.08, 'Deepest fall of the daily closes from a peak (share)')
  maxDrawdown!: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'The peak it fell from' })
  maxDrawdownStart!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  maxDrawdownTrough!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'null: not recovered yet' })
  maxDrawdownRecovery!: string | null;
  @nullableNumber(0.01)
  currentDrawdown!: number | null;
  @ApiProperty({ type: [DailyReturnDto] })
  dailyReturns!: DailyReturnDto[];
  @ApiProperty({ example: 40 })
  totalTrades!: number;
  @ApiProperty({ example: 24 })
  winningTrades!: number;
  @ApiProperty({ example: 16 })
  losingTrades!: number;
  @nullableNumber(0.6)
  winRate!: number | null;
  @nullableNumber(1.7, 'Gross profit / gross loss')
  profitFactor!: number | null;
  @nullableNumber(2.4, 'Mean PnL per trade, USDT')
  expectancy!: number | null;
  @nullableNumber(0.3, 'Mean R per trade (trades with a stop)')
  expectancyR!: number | null;
  @nullableNumber(0.3)
  avgR!: number | null;
  @nullableNumber(9.5, 'USDT')
  averageWin!: number | null;
  @nullableNumber(-6.2, 'USDT')
  averageLoss!: number | null;
  @nullableNumber(30.1)
  bestTrade!: number | null;
  @nullableNumber(-12.4)
  worstTrade!: number | null;
  @nullableNumber(95.5)
  avgDurationMinutes!: number | null;
  @ApiProperty({ example: 96.3, description: 'Σ realised PnL of the closed trades, fees in' })
  realizedPnl!: number;
  @ApiProperty({ example: 12.1 })
  totalFees!: number;
  @ApiProperty({ example: 24000, description: 'Σ entry and exit costs, USDT' })
  tradingVolume!: number;
  @ApiProperty({ example: 5, description: 'Longest run of winning trades (seed 002)' })
  consecutiveWins!: number;
  @ApiProperty({ example: 3, description: 'Longest run of losing trades (seed 002)' })
  consecutiveLosses!: number;
  @ApiProperty({
    example: 2.5,
    description:
      'Deepest fall of the cumulative R of the closed trades from its peak (trades without a stop count 0)',
  })
  maxDrawdownR!: number;
  @ApiProperty({ type: [SymbolPerformanceDto], description: 'Best PnL first' })
  bySymbol!: SymbolPerformanceDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { sharpeRatio: 'fewer than 2 daily returns in the period' },
    description: 'Why a field is null, by its name',
  })
  unavailable!: Record<string, string>;
}
