import { IsSymbolList } from '../../market/dto/symbol-list.decorator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNumber, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { DcaBacktestDealDto, DcaBacktestMetricsDto } from './dca-backtest.dto';
import { Timeframe, TIMEFRAMES } from '../../market/timeframes';

export class CreateBacktestDto {
  @ApiProperty({ example: 'breakout_v1' })
  @IsString()
  @Length(1, 64)
  preset!: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['BTC/USDT', 'ETH/USDT'],
    description: "Default: the preset's universe",
  })
  @IsOptional()
  @IsSymbolList(100)
  symbols?: string[];

  @ApiPropertyOptional({ enum: TIMEFRAMES, description: "Default: the preset's timeframe" })
  @IsOptional()
  @IsIn(TIMEFRAMES)
  timeframe?: Timeframe;

  @ApiProperty({ format: 'date-time', example: '2026-10-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-10-31T00:00:00Z' })
  @IsISO8601({ strict: true })
  to!: string;

  @ApiPropertyOptional({ example: 10000, minimum: 10, maximum: 1000000000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(10)
  @Max(1_000_000_000)
  startingBalance?: number;

  @ApiPropertyOptional({
    example: 0.001,
    minimum: 0,
    maximum: 0.05,
    description: "Default: the paper exchange's taker fee",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(0.05)
  takerFee?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "An exchange account: replays that exchange's candles, fetched through ccxt into the store first (the job's first half of progress)",
  })
  @IsOptional()
  @IsUUID()
  accountId?: string;

  @ApiPropertyOptional({
    example: 5,
    minimum: 0,
    maximum: 500,
    description:
      "On an exchange's candles (no order book to walk), orders fill at the open of the candle after the signal, stops and targets at their level, with this many basis points against the order both ways. Default 5",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(500)
  slippageBps?: number;
}

export class BacktestRequestDto {
  @ApiProperty({ example: 'breakout_v1' })
  preset!: string;
  @ApiProperty({
    enum: ['strategy', 'dca'],
    description: "The preset's kind: a dca backtest answers dcaMetrics and deals",
  })
  kind!: 'strategy' | 'dca';
  @ApiProperty({ type: [String] })
  symbols!: string[];
  @ApiProperty({ enum: TIMEFRAMES })
  timeframe!: string;
  @ApiProperty({ format: 'date-time' })
  from!: string;
  @ApiProperty({ format: 'date-time' })
  to!: string;
  @ApiProperty({ example: 10000 })
  startingBalance!: number;
  @ApiProperty({ example: 0.001 })
  takerFee!: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Null: the simulated market' })
  accountId!: string | null;
  @ApiProperty({ example: 'simulated', description: 'Whose candles: simulated, or the exchange id' })
  exchange!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Null on the simulated market (its book is walked)',
  })
  slippageBps!: number | null;
}

export class BacktestPauseDto {
  @ApiProperty({ enum: ['DAILY_LOSS_LIMIT', 'CONSECUTIVE_LOSSES'] })
  code!: string;
  @ApiProperty({ description: 'Candle close (epoch ms) at which the limit was found reached' })
  from!: number;
  @ApiProperty({
    description: 'When the pause lifted (epoch ms): entries resume at the first close from then',
  })
  until!: number;
  @ApiProperty({ example: 'daily loss -3.1R reached the limit of -3R' })
  message!: string;
}

export class BacktestMetricsDto {
  @ApiProperty({ example: 10000 })
  startingBalance!: number;
  @ApiProperty({ example: 10450.5 })
  finalEquity!: number;
  @ApiProperty({ example: 0.045, description: 'Share of the starting balance' })
  totalReturn!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Annualised, from per-candle equity returns' })
  sharpe!: number | null;
  @ApiProperty({ nullable: true, type: Number })
  sortino!: number | null;
  @ApiProperty({
    example: 0.08,
    description:
      "Deepest fall of equity from a peak, as a share of the peak: peaks at candle closes, troughs at the candles' lows",
  })
  maxDrawdown!: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.55 })
  winRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 1.6 })
  profitFactor!: number | null;
  @ApiProperty({ example: 42 })
  trades!: number;
  @ApiProperty({ example: 23 })
  wins!: number;
  @ApiProperty({ example: 19 })
  losses!: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.21 })
  avgR!: number | null;
  @ApiProperty({ example: 84.2 })
  totalFees!: number;
  @ApiProperty({
    type: [BacktestPauseDto],
    description:
      "Times it stopped entering on the preset's risk limits, as a bot pauses: the daily loss limit until the next UTC day, a losing streak for streakPauseMinutes",
  })
  riskPauses!: BacktestPauseDto[];
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.0045,
    description: "Mean riskShare of the trades: the preset's riskPerTrade unless a cap sized them (sizedBy)",
  })
  meanRiskShare!: number | null;
  @ApiProperty({
    type: 'object',
    properties: { risk: { type: 'integer' }, cash: { type: 'integer' }, slot: { type: 'integer' } },
    example: { risk: 19, cash: 41, slot: 117 },
    description: 'Trades sized by riskPerTrade, by the free balance, and by the slot cap',
  })
  sizedBy!: { risk: number; cash: number; slot: number };
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { profitFactor: 'no losing trades' },
    description:
      'Why a metric is null, by its name (sharpe, sortino, winRate, profitFactor, avgR): no trades, no losing trades, equity never changed...',
  })
  unavailable!: Record<string, string>;
}

export class BacktestTradeDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ enum: ['long'] })
  side!: 'long';
  @ApiProperty({ description: 'Epoch ms' })
  entryTime!: number;
  @ApiProperty()
  entryPrice!: number;
  @ApiProperty()
  amount!: number;
  @ApiProperty({ description: 'The stop it was entered with' })
  stopLoss!: number;
  @ApiProperty({ description: 'The stop when it was closed, after any trailing' })
  finalStopLoss!: number;
  @ApiProperty({ nullable: true, type: Number })
  takeProfit!: number | null;
  @ApiProperty({ description: 'What it loses at its initial stop, before costs (quote currency): its 1 R' })
  initialRisk!: number;
  @ApiProperty({
    example: 0.006,
    description: 'What it would lose at its stop with fees and the spread, as a share of equity at entry',
  })
  riskShare!: number;
  @ApiProperty({
    enum: ['risk', 'cash', 'slot'],
    description:
      'What set its size: riskPerTrade, the free balance, or the slot cap (equity / maxConcurrentPositions)',
  })
  sizedBy!: string;
  @ApiProperty({ description: 'Epoch ms' })
  exitTime!: number;
  @ApiProperty()
  exitPrice!: number;
  @ApiProperty({ enum: ['stop_loss', 'take_profit', 'time_stop', 'signal', 'end_of_test'] })
  exitReason!: string;
  @ApiProperty({
    description:
      'The exit happened inside the candle (a stop or target the market reached) rather than at its close; exitTime is the close either way',
  })
  exitedInCandle!: boolean;
  @ApiProperty()
  fees!: number;
  @ApiProperty()
  pnl!: number;
  @ApiProperty()
  r!: number;
}

export class EquityPointDto {
  @ApiProperty({ description: 'Epoch ms' })
  time!: number;
  @ApiProperty()
  value!: number;
}

export class BacktestDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Also the id of its job: GET /api/jobs/:id, POST /api/jobs/:id/cancel',
  })
  id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] })
  status!: string;
  @ApiProperty({ example: 40, minimum: 0, maximum: 100 })
  progress!: number;
  @ApiProperty({ type: BacktestRequestDto })
  request!: BacktestRequestDto;
  @ApiProperty({ type: BacktestMetricsDto, nullable: true, description: 'A strategy preset (null for DCA)' })
  metrics!: BacktestMetricsDto | null;
  @ApiProperty({ type: [EquityPointDto], nullable: true })
  equity!: EquityPointDto[] | null;
  @ApiProperty({ type: [BacktestTradeDto], nullable: true, description: 'A strategy preset (null for DCA)' })
  trades!: BacktestTradeDto[] | null;
  @ApiProperty({ type: DcaBacktestMetricsDto, nullable: true, description: 'A DCA preset (null otherwise)' })
  dcaMetrics!: DcaBacktestMetricsDto | null;
  @ApiProperty({
    type: [DcaBacktestDealDto],
    nullable: true,
    description: "A DCA preset's deals, oldest first",
  })
  deals!: DcaBacktestDealDto[] | null;
  @ApiProperty({ example: 432000, description: 'Candles replayed' })
  candles!: number;
  @ApiProperty({ nullable: true, type: String })
  error!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  finishedAt!: string | null;
}
