import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { MAX_PAGE_SIZE } from '../../platform/http/page.dto';
import { Timeframe, TIMEFRAMES } from '../timeframes';

export class MarketQueryDto {
  @ApiProperty({
    example: 'BTC-USDT',
    description: 'BTC-USDT, BTCUSDT, btc_usdt and BTC/USDT are the same pair',
  })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiPropertyOptional({ enum: TIMEFRAMES, default: '1h' })
  @IsOptional()
  @IsIn(TIMEFRAMES)
  timeframe: Timeframe = '1h';

  @ApiPropertyOptional({ format: 'date-time', description: 'First candle open time (inclusive)' })
  @IsOptional()
  @IsISO8601()
  startDate?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Last candle open time (exclusive); default now' })
  @IsOptional()
  @IsISO8601()
  endDate?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: 100,
    description: 'The newest candles of the range',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 100;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "An exchange account: candles from that exchange's public API instead of the simulated market",
  })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class IndicatorValuesDto {
  @ApiProperty({ nullable: true, type: Number, description: 'SMA 20 of closes' })
  sma20!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'EMA 20 of closes' })
  ema20!: number | null;

  @ApiProperty({ nullable: true, type: Number, example: 45.2, description: 'RSI 14 (Wilder)' })
  rsi!: number | null;

  @ApiProperty({ nullable: true, type: Number, example: 0.15, description: 'MACD 12/26 line' })
  macd!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'MACD signal (EMA 9 of the line)' })
  macdSignal!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  macdHistogram!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Bollinger 20/2 upper band' })
  bollingerUpper!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  bollingerMiddle!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  bollingerLower!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'ATR 14 (Wilder), in price units' })
  atr!: number | null;
}

export class MarketCandleDto {
  @ApiProperty({ format: 'date-time', description: 'Open time' })
  timestamp!: string;

  @ApiProperty({ example: 45000 })
  open!: number;

  @ApiProperty({ example: 45500 })
  high!: number;

  @ApiProperty({ example: 44800 })
  low!: number;

  @ApiProperty({ example: 45200 })
  close!: number;

  @ApiProperty({ example: 100.5, description: 'Base-currency volume' })
  volume!: number;

  @ApiProperty({ type: IndicatorValuesDto, description: 'Indicator values at this candle' })
  indicators!: IndicatorValuesDto;
}

export class MarketDataResponseDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ enum: TIMEFRAMES, example: '1h' })
  timeframe!: string;

  @ApiProperty({ example: 'simulated', description: 'Where the candles come from' })
  exchange!: string;

  @ApiProperty({ type: [MarketCandleDto], description: 'Oldest first' })
  candles!: MarketCandleDto[];

  @ApiProperty({ type: IndicatorValuesDto, description: 'Indicator values at the newest candle' })
  indicators!: IndicatorValuesDto;
}
