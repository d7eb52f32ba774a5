import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { DEAL_STATUSES, DealStatus } from '../dca-deal.entity';
import { LadderSettingsDto, LadderSettingsViewDto } from './dca-plan.dto';

export class TakeProfitStepDto {
  @ApiProperty({
    type: 'number',
    minimum: 0.01,
    maximum: 100,
    example: 50,
    description: 'Share of the position, percent',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(100)
  amountPercent!: number;

  @ApiProperty({
    type: 'number',
    minimum: 0.01,
    maximum: 1000,
    example: 1.5,
    description: 'Profit over the average entry, percent',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(1000)
  profitPercent!: number;
}

/** Deal settings; in a change (a preset's, a bot's deal) null turns off a stop loss, trailing, timeout or steps. */
export class DealSettingsDto extends LadderSettingsDto {
  @ApiPropertyOptional({
    nullable: true,
    type: [TakeProfitStepDto],
    maxItems: 4,
    example: [
      { amountPercent: 50, profitPercent: 1 },
      { amountPercent: 50, profitPercent: 2 },
    ],
    description:
      'Up to 4 steps instead of one take profit: shares making 100 %, profits rising; with trailing, the last step trails',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @ValidateNested({ each: true })
  @Type(() => TakeProfitStepDto)
  takeProfitSteps?: TakeProfitStepDto[];

  @ApiPropertyOptional({
    default: false,
    description:
      'Once the first take-profit step sold, sell the rest if the price falls back to the average entry',
  })
  @IsOptional()
  @IsBoolean()
  stopLossToBreakeven?: boolean;

  @ApiPropertyOptional({
    enum: ['market', 'limit'],
    default: 'market',
    description: 'The base order: at market, or a limit at the ask',
  })
  @IsOptional()
  @IsIn(['market', 'limit'])
  startOrderType?: 'market' | 'limit';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 200,
    default: 1,
    description: 'Safety orders resting at once',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  activeSafetyOrders?: number;

  @ApiPropertyOptional({
    nullable: true,
    type: 'number',
    minimum: 0.01,
    maximum: 99,
    example: 10,
    description: 'Sell at market this far below the average entry, percent',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(99)
  stopLoss?: number;

  @ApiPropertyOptional({
    nullable: true,
    type: 'number',
    minimum: 0.01,
    maximum: 50,
    example: 0.5,
    description:
      'Trailing take profit: once the target is reached, sell when the price falls this far from its high, percent',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(50)
  trailingDeviation?: number;

  @ApiPropertyOptional({
    nullable: true,
    type: 'integer',
    minimum: 1,
    maximum: 525_600,
    description: 'Sell at market after this long',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(525_600)
  dealTimeoutMinutes?: number;
}

export class StartDealDto extends DealSettingsDto {
  @ApiProperty({ example: 'BTC/USDT' })
  @IsString()
  @Length(3, 40)
  symbol!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An exchange account (default: the paper account)' })
  @IsOptional()
  @IsUUID()
  accountId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "A DCA bot's deal (3Commas' start new deal): on the bot's account, one of its pairs, within its maxActiveDeals, with its preset's deal settings unless settings are given",
  })
  @IsOptional()
  @IsUUID()
  botId?: string;
}

export class AddFundsDto {
  @ApiProperty({
    type: 'number',
    minimum: 0.00000001,
    maximum: 1e12,
    example: 50,
    description: 'Quote to spend at market now',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.00000001)
  @Max(1e12)
  volume!: number;
}

export class UpdateTakeProfitDto {
  @ApiProperty({
    type: 'number',
    minimum: 0.01,
    maximum: 1000,
    example: 2.5,
    description: 'New target profit, percent',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(1000)
  takeProfit!: number;
}

export class DealSettingsViewDto extends LadderSettingsViewDto {
  @ApiPropertyOptional({ type: [TakeProfitStepDto], nullable: true })
  takeProfitSteps?: TakeProfitStepDto[] | null;
  @ApiPropertyOptional()
  stopLossToBreakeven?: boolean;
  @ApiPropertyOptional({ enum: ['market', 'limit'] })
  startOrderType?: 'market' | 'limit';
  @ApiPropertyOptional({
    description: 'true: a trade opened with DCA on, whose own stop loss and take profit stay',
  })
  exitsByTrade?: boolean;
  @ApiProperty({ example: 1 })
  activeSafetyOrders!: number;
  @ApiProperty({ nullable: true, type: Number, example: null })
  stopLoss!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: null })
  trailingDeviation!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: null })
  dealTimeoutMinutes!: number | null;
}

export class DealDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  botId!: string | null;
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;
  @ApiProperty({ enum: ['paper', 'exchange'] })
  venue!: 'paper' | 'exchange';
  @ApiProperty({ example: 'default', description: "The paper account's name or the exchange account's id" })
  accountId!: string;
  @ApiProperty({ enum: DEAL_STATUSES, example: 'bought' })
  status!: DealStatus;
  @ApiProperty({ type: DealSettingsViewDto })
  settings!: DealSettingsViewDto;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The position the deal builds' })
  tradeId!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 50000, description: "The base order's fill price" })
  basePrice!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 49500,
    description: 'Fill-weighted mean of every buy',
  })
  averageEntry!: number | null;
  @ApiProperty({ example: 0.0006, description: 'Base amount bought' })
  boughtAmount!: number;
  @ApiProperty({ example: 29.7, description: 'Quote spent on it' })
  boughtVolume!: number;
  @ApiProperty({ example: 0.0006, description: 'Base amount still held' })
  openAmount!: number;
  @ApiProperty({ example: 1 })
  safetyOrdersFilled!: number;
  @ApiProperty({ nullable: true, type: Number, example: 50242.5 })
  takeProfitPrice!: number | null;
  @ApiProperty({ example: -0.03, description: 'Sells − buys − fees so far, quote' })
  realizedPnl!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.12,
    description: 'Of what is held, at the bid now',
  })
  unrealizedPnl!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'take_profit' })
  closeReason!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  closedAt!: string | null;
}

export class DealRungDto {
  @ApiProperty({ enum: ['base', 'safety', 'add_funds', 'take_profit'] })
  kind!: 'base' | 'safety' | 'add_funds' | 'take_profit';
  @ApiProperty({ example: 1, description: 'Safety order n, or the nth take-profit order' })
  index!: number;
  @ApiProperty({ nullable: true, type: Number, example: 1, description: "A take-profit order's step" })
  step!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 49250, description: 'The price the ladder planned' })
  plannedPrice!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.0004 })
  plannedAmount!: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'null: not placed yet' })
  orderId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'FILLED' })
  status!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 49250,
    description: 'Its limit price, or its fill price',
  })
  price!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.0004 })
  filled!: number | null;
}

export class DealDetailDto extends DealDto {
  @ApiProperty({
    type: [DealRungDto],
    description: 'Base order, every safety order planned or placed, and the take-profit orders',
  })
  ladder!: DealRungDto[];
}

export class DealListDto extends PageOf(DealDto) {}

export class DealQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  botId?: string;

  @ApiPropertyOptional({ example: 'BTC/USDT' })
  @IsOptional()
  @IsString()
  @Length(3, 40)
  symbol?: string;

  @ApiPropertyOptional({ enum: DEAL_STATUSES })
  @IsOptional()
  @IsIn(DEAL_STATUSES)
  status?: DealStatus;
}
