import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AnalyticsScopeQueryDto } from './equity.dto';

export class RiskQueryDto extends AnalyticsScopeQueryDto {
  @ApiPropertyOptional({ type: 'integer', default: 90, minimum: 5, maximum: 730 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(730)
  lookbackDays?: number;
}

export class ExposureDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ example: 1250.5, description: 'Open amount × price, USDT' })
  value!: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.125, description: 'Of the portfolio value' })
  share!: number | null;
}

export class OpenRiskDto {
  @ApiProperty({ example: 42.1, description: 'Σ distance to the stop × open amount, USDT' })
  quote!: number;
  @ApiProperty({ example: 2.1, description: 'The same in R (each trade over its initial risk)' })
  r!: number;
}

export class RiskMeasureDto {
  @ApiProperty({ type: Number, nullable: true, example: -2.4, description: 'One-day return, percent' })
  percent!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: -240.3, description: 'The same in USDT' })
  quote!: number | null;
}

export class RiskDto {
  @ApiProperty({ example: 'paper:default' })
  scope!: string;
  @ApiProperty({ example: 'USDT' })
  currency!: string;
  @ApiProperty({ type: Number, nullable: true, example: 10012.4 })
  portfolioValue!: number | null;
  @ApiProperty({ type: [ExposureDto] })
  exposure!: ExposureDto[];
  @ApiProperty({ type: OpenRiskDto })
  openRisk!: OpenRiskDto;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.38,
    description: 'Herfindahl index of the exposures (1: one symbol)',
  })
  concentration!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.38,
    description: 'Seed 004 name of `concentration`',
  })
  concentrationRisk!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.45, description: 'Σ exposure / portfolio value' })
  leverage!: number | null;
  @ApiProperty({ example: 90 })
  lookbackDays!: number;
  @ApiProperty({
    enum: ['history', 'holdings-replay'],
    description:
      "history: the portfolio's own daily returns over the window; holdings-replay: it is younger than the window, so today's holdings over the symbols' daily candle returns",
  })
  method!: string;
  @ApiProperty({ example: 90, description: 'Daily returns the VaR figures read' })
  observations!: number;
  @ApiProperty({
    type: RiskMeasureDto,
    description: 'Historical one-day VaR 95 %: the 5th percentile of daily returns',
  })
  var95!: RiskMeasureDto;
  @ApiProperty({ type: RiskMeasureDto })
  var99!: RiskMeasureDto;
  @ApiProperty({ type: RiskMeasureDto, description: 'Mean of the returns at or below the VaR 95 %' })
  cvar95!: RiskMeasureDto;
  @ApiProperty({ type: RiskMeasureDto })
  cvar99!: RiskMeasureDto;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['low', 'medium', 'high'],
    description: 'From the VaR 95 %: a one-day loss under 2 % low, under 5 % medium, else high',
  })
  portfolioRisk!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 1.1, description: 'Against BTC/USDT daily returns' })
  beta!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'number', nullable: true } },
    example: { 'BTC/USDT': { 'BTC/USDT': 1, 'ETH/USDT': 0.85 } },
    description: 'Pearson correlations of the held symbols’ daily candle returns',
  })
  correlationMatrix!: Record<string, Record<string, number | null>>;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['low', 'medium', 'high'],
    description:
      "The largest position against its market's 24 h quote volume: under 0.1 % low, under 1 % medium",
  })
  liquidityRisk!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Why a field is null',
  })
  unavailable!: Record<string, string>;
}
