import { ApiProperty } from '@nestjs/swagger';

export class DcaBacktestDealDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ description: 'Close of the candle it started at (epoch ms)' })
  openedAt!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'When it ended (epoch ms); null: open at the end',
  })
  closedAt!: number | null;
  @ApiProperty({ enum: ['completed', 'stop_loss_finished', 'bought', 'ttp_activated'] })
  status!: string;
  @ApiProperty({ enum: ['take_profit', 'trailing_take_profit', 'stop_loss', 'timeout', 'end_of_test'] })
  closeReason!: string;
  @ApiProperty({ description: "The base order's fill price" })
  basePrice!: number;
  @ApiProperty()
  averageEntry!: number;
  @ApiProperty({ example: 2 })
  safetyOrdersFilled!: number;
  @ApiProperty({ description: 'Base bought' })
  amount!: number;
  @ApiProperty({ description: 'Quote spent on it' })
  cost!: number;
  @ApiProperty()
  fees!: number;
  @ApiProperty({ description: 'Sells − buys − fees; an open deal valued at the last close' })
  pnl!: number;
}

export class DcaClosedByDto {
  @ApiProperty({ example: 40 })
  take_profit!: number;
  @ApiProperty({ example: 0 })
  trailing_take_profit!: number;
  @ApiProperty({ example: 1 })
  stop_loss!: number;
  @ApiProperty({ example: 0 })
  timeout!: number;
}

export class DcaBacktestMetricsDto {
  @ApiProperty({ example: 10000 })
  startingBalance!: number;
  @ApiProperty({ example: 10120.4 })
  finalEquity!: number;
  @ApiProperty({ example: 0.012, description: 'Share of the starting balance' })
  totalReturn!: number;
  @ApiProperty({ example: 42, description: 'Deals started' })
  deals!: number;
  @ApiProperty({ example: 41 })
  closedDeals!: number;
  @ApiProperty({ example: 1, description: 'Still open at the end (valued at the last close)' })
  openDeals!: number;
  @ApiProperty({ type: DcaClosedByDto, description: 'Closed deals by why they ended' })
  closedBy!: DcaClosedByDto;
  @ApiProperty({ nullable: true, type: Number, example: 0.97 })
  winRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 1.4, description: 'Safety orders filled per deal' })
  avgSafetyOrders!: number | null;
  @ApiProperty({ example: 5 })
  maxSafetyOrdersUsed!: number;
  @ApiProperty({ example: 812.5, description: 'Most quote bought and held in deals at once' })
  maxCapitalInUse!: number;
  @ApiProperty({ nullable: true, type: Number, example: 4320 })
  longestDealMinutes!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 310 })
  avgDealMinutes!: number | null;
  @ApiProperty({
    example: 0.05,
    description: "Deepest fall of equity from a peak at candle closes to equity at the candles' lows",
  })
  maxDrawdown!: number;
  @ApiProperty({ description: 'Realised PnL of the closed deals' })
  totalPnl!: number;
  @ApiProperty()
  totalFees!: number;
  @ApiProperty({ description: 'Deal starts skipped: the free balance could not fund the whole ladder' })
  unfundedStarts!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { winRate: 'no deal closed' },
    description: 'Why a metric is null, by its name',
  })
  unavailable!: Record<string, string>;
}
