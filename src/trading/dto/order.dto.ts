import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { OrderStatus } from '../order-status';

const SIDES = ['buy', 'sell'] as const;
const TYPES = ['market', 'limit', 'stop'] as const;

export class PlaceOrderDto {
  @ApiProperty({ example: 'BTC/USDT', description: 'BTC-USDT, BTCUSDT and btc_usdt mean the same pair' })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiProperty({ enum: SIDES })
  @IsIn(SIDES)
  side!: 'buy' | 'sell';

  @ApiProperty({ enum: TYPES, description: 'stop: a market order once the price reaches stopPrice' })
  @IsIn(TYPES)
  type!: 'market' | 'limit' | 'stop';

  @ApiProperty({ example: 0.01, description: 'Base currency amount; rounded down to the market step' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  amount!: number;

  @ApiPropertyOptional({ example: 59000, description: 'Limit price (limit orders only, required there)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  price?: number;

  @ApiPropertyOptional({ example: 58000, description: 'Trigger price (stop orders only, required there)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  stopPrice?: number;

  @ApiPropertyOptional({
    example: 'my-order-17',
    pattern: '^[A-Za-z0-9_-]{1,30}$',
    description: 'Your id for the order; sent to the exchange as "tp-" + it; unique',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,30}$/, { message: 'clientOrderId must be 1 to 30 of A-Z a-z 0-9 _ -' })
  clientOrderId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An exchange account; default: the paper account' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class OrderQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OrderStatus })
  @IsOptional()
  @IsIn(Object.values(OrderStatus))
  status?: OrderStatus;

  @ApiPropertyOptional({ example: 'BTC-USDT' })
  @IsOptional()
  @IsString()
  @Length(3, 40)
  symbol?: string;

  @ApiPropertyOptional({ enum: SIDES })
  @IsOptional()
  @IsIn(SIDES)
  side?: 'buy' | 'sell';

  @ApiPropertyOptional({ format: 'uuid', description: 'Orders of one trade' })
  @IsOptional()
  @IsUUID()
  tradeId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after' })
  @IsOptional()
  @IsISO8601()
  startDate?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before' })
  @IsOptional()
  @IsISO8601()
  endDate?: string;
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'tp-3f1b2c3d4e5f60718293a4b5c6d7e8f9', description: 'Ours, sent to the exchange' })
  clientOrderId!: string;

  @ApiProperty({ nullable: true, type: String, description: "The exchange's id, once it answered" })
  exchangeOrderId!: string | null;

  @ApiProperty({ enum: ['paper', 'exchange'] })
  venue!: 'paper' | 'exchange';

  @ApiProperty({ example: 'default', description: 'Paper account name or exchange account id' })
  accountId!: string;

  @ApiProperty({ example: 'paper' })
  exchange!: string;

  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ enum: SIDES })
  side!: 'buy' | 'sell';

  @ApiProperty({ enum: TYPES })
  type!: 'market' | 'limit' | 'stop';

  @ApiProperty({ example: 0.01, description: 'Ordered amount (base currency)' })
  amount!: number;

  @ApiProperty({ example: 0.01, description: 'Alias of amount, kept for clients of the earlier field name' })
  qty!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Limit price, or the average fill price once filled',
  })
  price!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  stopPrice!: number | null;

  @ApiProperty({ enum: OrderStatus })
  status!: OrderStatus;

  @ApiProperty({ nullable: true, type: String, description: 'Why it was rejected, expired or is unknown' })
  statusReason!: string | null;

  @ApiProperty({ example: 0.01 })
  filled!: number;

  @ApiProperty({ example: 0 })
  remaining!: number;

  @ApiProperty({ nullable: true, type: Number })
  averagePrice!: number | null;

  @ApiProperty({ example: 600.5, description: 'Quote spent or received' })
  cost!: number;

  @ApiProperty({ example: 0.6, description: "Fees paid, all fills together (a fill's own is its fee)" })
  fees!: number;

  @ApiProperty({ nullable: true, type: String, example: 'USDT' })
  feeCurrency!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'entry, exit, stop_loss, take_profit, dca' })
  intent!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  tradeId!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  botId!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  submittedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  filledAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When it reached a final state',
  })
  closedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class OrderListDto extends PageOf(OrderDto) {}

export class CancelOrderResultDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ example: 'Order canceled' })
  message!: string;

  @ApiProperty({ type: OrderDto })
  order!: OrderDto;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}

export class OrderFillDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 60010.5 })
  price!: number;

  @ApiProperty({ example: 0.01, description: 'Base currency' })
  amount!: number;

  @ApiProperty({ example: 600.105, description: 'Quote currency: price x amount' })
  cost!: number;

  @ApiProperty({ example: 0.6, description: 'The fee of this fill, in feeCurrency' })
  fee!: number;

  @ApiProperty({ example: 'USDT' })
  feeCurrency!: string;

  @ApiProperty({ enum: ['taker', 'maker'] })
  takerOrMaker!: 'taker' | 'maker';

  @ApiProperty({ format: 'date-time' })
  executedAt!: string;
}

export class OrderDetailDto extends OrderDto {
  @ApiProperty({ type: [OrderFillDto], description: 'Its fills, oldest first' })
  fills!: OrderFillDto[];
}
