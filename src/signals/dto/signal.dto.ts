import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, Length, Min } from 'class-validator';
import { SIGNAL_ACTIONS, SignalAction } from '../bot-signal.entity';

export class InboundSignalDto {
  @ApiProperty({
    enum: SIGNAL_ACTIONS,
    description:
      '`buy`: a strategy bot enters (its sizing and risk rules; stop 2 ATR(14) of its timeframe below); `sell` / `close`: it sells what it holds of the symbol; `start_deal`: a DCA bot starts a deal on it',
  })
  @IsIn(SIGNAL_ACTIONS)
  action!: SignalAction;

  @ApiProperty({ example: 'BTC/USDT' })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiPropertyOptional({
    example: 64_250.5,
    description: "The sender's price (the bot trades at the market's)",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  price?: number;

  @ApiPropertyOptional({ example: 'RSI cross' })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  comment?: string;

  @ApiPropertyOptional({ example: 'tv-20261204-0915-btc', description: 'The same id acts once' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  id?: string;
}

export class SignalResultDto {
  @ApiProperty({ format: 'uuid' })
  signalId!: string;
  @ApiProperty({ format: 'uuid' })
  botId!: string;
  @ApiProperty({ enum: SIGNAL_ACTIONS })
  action!: SignalAction;
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ enum: ['acted', 'ignored'], description: '`ignored`: nothing to do (no position to sell)' })
  outcome!: 'acted' | 'ignored';
  @ApiProperty({ example: 'opened a trade of 0.0123 BTC/USDT' })
  detail!: string;
  @ApiProperty({ type: [String], description: 'Trades it opened or closed' })
  tradeIds!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'The DCA deal it started' })
  dealId!: string | null;
  @ApiProperty({ description: 'A replay (same id, or same body within 60 s): what the first did, done once' })
  duplicate!: boolean;
}

export class SignalTokenDto {
  @ApiProperty({
    example: 'tps_3q2V...',
    description: 'Shown once; stored hashed. A new one replaces the old.',
  })
  token!: string;
  @ApiProperty({ example: '/api/signals/tps_3q2V...' })
  url!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class StoredSignalDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'date-time' })
  receivedAt!: string;
  @ApiProperty({ enum: SIGNAL_ACTIONS })
  action!: SignalAction;
  @ApiProperty()
  symbol!: string;
  @ApiProperty({ nullable: true, type: Number })
  price!: number | null;
  @ApiProperty({ nullable: true, type: String })
  comment!: string | null;
  @ApiProperty({ nullable: true, type: String })
  externalId!: string | null;
  @ApiProperty({ enum: ['acted', 'ignored', 'refused'] })
  outcome!: string;
  @ApiProperty({ type: 'integer', example: 202, description: 'The HTTP status it was answered with' })
  status!: number;
  @ApiProperty()
  detail!: string;
  @ApiProperty({ type: [String] })
  tradeIds!: string[];
  @ApiProperty({ nullable: true, type: String })
  dealId!: string | null;
}

export class StoredSignalListDto {
  @ApiProperty({ type: [StoredSignalDto] })
  signals!: StoredSignalDto[];
  @ApiProperty({ type: 'integer' })
  count!: number;
}
