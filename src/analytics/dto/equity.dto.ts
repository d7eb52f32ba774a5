import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { EQUITY_RESOLUTIONS, EquityResolution } from '../equity-point.entity';

/** Whose analytics: a bot, or an account (an exchange account's id or a paper account's name). */
export class AnalyticsScopeQueryDto {
  @ApiPropertyOptional({
    example: 'default',
    description:
      "An exchange account's id, a 3Commas connection's id or a paper account's name (bots' own: bot-<name>)",
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  accountId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  botId?: string;
}

export class EquityQueryDto extends AnalyticsScopeQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Default: 7 days before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Default: now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    enum: EQUITY_RESOLUTIONS,
    description:
      'Default: the finest that fits the range in 2,000 points (minute points are kept 7 days, hourly 2 years, daily for ever); a longer series is thinned to 2,000 evenly spaced points',
  })
  @IsOptional()
  @IsIn(EQUITY_RESOLUTIONS)
  resolution?: EquityResolution;
}

export class EquityPointDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-20T12:00:00.000Z',
    description: 'The minute, hour or day',
  })
  timestamp!: string;
  @ApiProperty({ example: 10125.4, description: 'Mark-to-market equity, USDT' })
  value!: number;
  @ApiProperty({ example: 1.5, description: 'Σ R of the trades closed so far' })
  cumulativeR!: number;
  @ApiProperty({ example: 0.012, description: 'Fall from the highest value of this series so far (share)' })
  drawdown!: number;
  @ApiProperty({ example: 125.4, description: 'Realised + unrealised PnL, USDT' })
  pnl!: number;
  @ApiProperty({ example: 100.2 })
  realizedPnl!: number;
  @ApiProperty({ example: 25.2 })
  unrealizedPnl!: number;
}
