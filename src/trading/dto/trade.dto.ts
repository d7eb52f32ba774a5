import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { OrderDto } from './order.dto';

const TRADE_STATUSES = ['OPENING', 'OPEN', 'CLOSING', 'CLOSED', 'CANCELED'] as const;

export class OpenTradeDto {
  @ApiProperty({ example: 'BTC/USDT' })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiProperty({
    enum: ['buy', 'sell'],
    description: 'buy opens a long position; sell a short (swap accounts only)',
  })
  @IsIn(['buy', 'sell'])
  side!: 'buy' | 'sell';

  @ApiProperty({ example: 0.01, description: 'Base currency amount' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  amount!: number;

  @ApiPropertyOptional({ example: 59000, description: 'Entry limit price; market entry when absent' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  price?: number;

  @ApiPropertyOptional({ example: 57000, description: 'Closed at market when the price reaches it' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  stopLoss?: number;

  @ApiPropertyOptional({ example: 63000, description: 'Closed at market when the price reaches it' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  takeProfit?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  dcaEnabled?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 20, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  maxDcaAttempts?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'An exchange account; default: the paper account' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class UpdateTradeDto {
  @ApiPropertyOptional({ example: 58000, nullable: true, type: Number, description: 'null removes it' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  stopLoss?: number | null;

  @ApiPropertyOptional({ example: 64000, nullable: true, type: Number, description: 'null removes it' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  takeProfit?: number | null;
}

export class CloseTradeDto {
  @ApiPropertyOptional({
    example: 'manual',
    pattern: '^[a-z_]{1,32}$',
    description: 'Recorded as the close reason',
  })
  @IsOptional()
  @Matches(/^[a-z_]{1,32}$/, { message: 'reason must be 1 to 32 of a-z and _' })
  reason?: string;

  @ApiPropertyOptional({ default: false, description: 'Close even while trading is disabled' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class TradeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'BTC-USDT' })
  @IsOptional()
  @IsString()
  @Length(3, 40)
  symbol?: string;
}

export class TradeHistoryQueryDto extends TradeQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after' })
  @IsOptional()
  @IsISO8601()
  startDate?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before' })
  @IsOptional()
  @IsISO8601()
  endDate?: string;

  @ApiPropertyOptional({ enum: TRADE_STATUSES })
  @IsOptional()
  @IsIn(TRADE_STATUSES)
  status?: (typeof TRADE_STATUSES)[number];
}

export class TradeDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ enum: ['buy', 'sell'], description: 'The entry side' })
  side!: 'buy' | 'sell';

  @ApiProperty({ enum: ['long', 'short'] })
  positionSide!: 'long' | 'short';

  @ApiProperty({ enum: TRADE_STATUSES })
  status!: string;

  @ApiProperty({ enum: ['paper', 'live'] })
  mode!: 'paper' | 'live';

  @ApiProperty({ example: 'paper' })
  exchange!: string;

  @ApiProperty({ example: 'default' })
  accountId!: string;

  @ApiProperty({
    example: 0.01,
    description:
      'Amount traded (base currency): what the entries bought or sold, less fees taken in the coin',
  })
  amount!: number;

  @ApiProperty({ example: 0.01, description: 'Amount the position still holds (0 once closed)' })
  openAmount!: number;

  @ApiProperty({
    example: 0.01,
    description:
      'Amount bought (long) or sold (short) to enter, DCA included, less entry fees the exchange took in the coin bought',
  })
  entryAmount!: number;

  @ApiProperty({ nullable: true, type: Number, description: 'Average entry price' })
  entryPrice!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Average exit price' })
  exitPrice!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Latest market price (open trades)' })
  currentPrice!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  stopLoss!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  takeProfit!: number | null;

  @ApiProperty({ example: 1.25, description: 'Realised plus unrealised, quote currency, after fees' })
  pnl!: number;

  @ApiProperty({ example: 0.2, description: 'pnl as a percentage of the entry cost' })
  pnlPercent!: number;

  @ApiProperty({ example: 0, description: 'From exits, after all fees so far' })
  realizedPnl!: number;

  @ApiProperty({ example: 1.25, description: 'Of the open amount at the current price' })
  unrealizedPnl!: number;

  @ApiProperty({ nullable: true, type: Number, description: 'pnl in R; null without a stop loss' })
  pnlR!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Quote currency at risk at entry' })
  initialRisk!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.006,
    description:
      "A bot's trade: what it was sized to lose at its stop, fees and spread included, as a share of equity; null for other trades",
  })
  riskShare!: number | null;

  @ApiProperty({
    nullable: true,
    enum: ['risk', 'cash', 'slot'],
    description:
      "A bot's trade: what set its size (the preset's riskPerTrade, the free balance, or the slot cap); null for other trades",
  })
  sizedBy!: 'risk' | 'cash' | 'slot' | null;

  @ApiProperty({
    example: 0.6,
    description:
      "All fees in the quote currency: a fee in the base coin at its fill price, in BNB at BNB's price",
  })
  fees!: number;

  @ApiProperty({ example: 600.5, description: 'Quote volume of all fills' })
  volume!: number;

  @ApiProperty({ nullable: true, type: String, example: 'stop_loss' })
  closeReason!: string | null;

  @ApiProperty()
  dcaEnabled!: boolean;

  @ApiProperty({ example: 3 })
  maxDcaAttempts!: number;

  @ApiProperty({ example: 0 })
  dcaAttempts!: number;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  botId!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'breakout_v1' })
  preset!: string | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.62,
    description:
      "The ML model's probability of `up` when it let the bot's entry through (an ML preset); null otherwise",
  })
  mlConfidence!: number | null;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'mlp v3',
    description: 'Which model (type and version)',
  })
  mlModel!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  openedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  closedAt!: string | null;
}

export class TradeDetailDto extends TradeDto {
  @ApiProperty({ type: [OrderDto], description: 'Entry, DCA and exit orders, oldest first' })
  orders!: OrderDto[];

  @ApiProperty({ example: '100%', description: 'Filled DCA orders among those placed' })
  dcaSuccessRate!: string;

  @ApiProperty({
    enum: ['low', 'medium', 'high'],
    description: 'From the initial risk against the entry cost',
  })
  riskLevel!: 'low' | 'medium' | 'high';

  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      properties: {
        attempt: { type: 'integer' },
        price: { type: 'number', nullable: true },
        amount: { type: 'number' },
        timestamp: { type: 'string', format: 'date-time' },
        success: { type: 'boolean' },
      },
    },
  })
  dcaHistory!: Array<{
    attempt: number;
    price: number | null;
    amount: number;
    timestamp: string;
    success: boolean;
  }>;
}

export class TradeListDto extends PageOf(TradeDto) {
  @ApiProperty({ type: 'integer', example: 3, description: 'Same as total: matching trades on all pages' })
  count!: number;

  @ApiProperty({ example: 12.5, description: 'Sum of pnl over all matching trades' })
  totalPnl!: number;

  @ApiProperty({ example: 15000.5, description: 'Sum of fill volume over all matching trades' })
  totalVolume!: number;
}
