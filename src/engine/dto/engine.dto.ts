import { PageOf } from '../../platform/http/page.dto';
import { IsSymbolList } from '../../market/dto/symbol-list.decorator';
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Length,
  Matches,
  Max,
} from 'class-validator';
import { ENGINE_COMMANDS, ENGINE_STATES, EngineCommand, EngineState } from '../engine-state';

const MODES = ['paper', 'live'] as const;

export class EngineStartDto {
  @ApiProperty({ example: 'breakout_v1' })
  @IsString()
  @Length(1, 64)
  preset!: string;

  @ApiProperty({ enum: MODES, example: 'paper' })
  @IsIn(MODES)
  mode!: 'paper' | 'live';

  @ApiPropertyOptional({
    type: [String],
    example: ['BTC/USDT', 'ETH/USDT'],
    description: "Default: the preset's universe",
  })
  @IsOptional()
  @IsSymbolList(500)
  symbols?: string[];

  @ApiPropertyOptional({ description: 'Exchange account for live mode' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  accountId?: string;

  @ApiPropertyOptional({
    example: 'team',
    pattern: '^[a-z0-9][a-z0-9_-]{0,63}$',
    description:
      "Paper mode: trade on this paper account, shared with the bots and orders that name it ('default' is the API's), with an allocation (capital or capitalPercent). Default: the bot's own paper account (bot-<name>), funded with capital",
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
    message:
      'sharedPaperAccount must be 1-64 lowercase letters, digits, _ or -, starting with a letter or digit',
  })
  sharedPaperAccount?: string;

  @ApiPropertyOptional({
    example: 2500,
    description:
      "The bot's capital in the quote currency: what its own paper account starts with (default: PAPER_STARTING_BALANCE), or its allocation of a shared account (its equity is this plus its results since it started). Not with capitalPercent",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1e12)
  capital?: number;

  @ApiPropertyOptional({
    example: 25,
    description:
      "On a shared account (sharedPaperAccount or an exchange account): the bot's equity is this percentage of the account's trading equity (its quote currency and its open trades; other holdings do not count). Default on a shared account: 100",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(100)
  capitalPercent?: number;
}

export class CreateBotDto extends EngineStartDto {
  @ApiProperty({ example: 'btc-breakout', pattern: '^[a-z0-9][a-z0-9_-]{1,63}$' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{1,63}$/, {
    message: 'name must be 2-64 lowercase letters, digits, _ or -, starting with a letter or digit',
  })
  name!: string;

  @ApiPropertyOptional({ default: false, description: 'Start it at once' })
  @IsOptional()
  @IsBoolean()
  start?: boolean;
}

export class EngineStopDto {
  @ApiPropertyOptional({ default: false, description: "Also cancel the bot's open orders" })
  @IsOptional()
  @IsBoolean()
  cancelOrders?: boolean;
}

export class EngineCommandDto {
  @ApiProperty({ enum: ENGINE_COMMANDS, example: 'pause' })
  @IsIn(ENGINE_COMMANDS)
  command!: EngineCommand;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { olderThanMinutes: 60 },
    description: 'stop: {cancelOrders}; time_stop: {olderThanMinutes}',
  })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'news event' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

export class BotCapitalDto {
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'bot-default',
    description:
      'The paper account the bot trades on (its own, bot-<name>, unless it shares one); null on an exchange account',
  })
  paperAccount!: string | null;
  @ApiProperty({ description: 'Whether the account is shared (the bot has an allocation of it)' })
  sharedAccount!: boolean;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 2500,
    description: 'Its capital in the quote currency',
  })
  capital!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: null,
    description: "Its share of the account's trading equity, percent",
  })
  capitalPercent!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 2512.4,
    description:
      'The equity it sizes on now (risk per trade and slot cap are shares of it); null when the account cannot be read',
  })
  equity!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 10040.2,
    description:
      "The account's trading equity: its quote currency and its open trades (other holdings do not count)",
  })
  accountEquity!: number | null;
}

export class EngineStatusDto {
  @ApiProperty({ enum: ENGINE_STATES, example: 'IDLE' })
  state!: EngineState;
  @ApiProperty({ nullable: true, type: String, example: 'breakout_v1' })
  preset!: string | null;
  @ApiProperty({ nullable: true, enum: MODES, example: 'paper' })
  mode!: 'paper' | 'live' | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  startedAt!: string | null;
  @ApiProperty({
    example: 3,
    description: "The preset's maximum concurrent positions (a DCA preset's maxActiveDeals)",
  })
  slots!: number;
  @ApiProperty({ example: 2 })
  freeSlots!: number;
  @ApiProperty({ example: 1 })
  openPositions!: number;
  @ApiProperty({ nullable: true, type: Number, example: 45, description: 'Duration of the last cycle' })
  latencyMs!: number | null;
  @ApiProperty({ example: -0.5, description: 'R of the trades closed today (since the last resume)' })
  dailyR!: number;
  @ApiProperty({ example: 0 })
  consecutiveLosses!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.0045,
    description:
      "Mean share of equity the bot's trades since it was started (or resumed) were sized to lose at their stops, fees and spread included: the preset's riskPerTrade unless a cap sized them (sizedBy); null before its first trade",
  })
  meanRiskShare!: number | null;
  @ApiProperty({
    type: 'object',
    properties: { risk: { type: 'integer' }, cash: { type: 'integer' }, slot: { type: 'integer' } },
    example: { risk: 12, cash: 0, slot: 5 },
    description: 'Those trades sized by riskPerTrade, by the free balance, and by the slot cap',
  })
  sizedBy!: { risk: number; cash: number; slot: number };
  @ApiProperty({
    type: BotCapitalDto,
    nullable: true,
    description: 'Null before the engine was first started',
  })
  capital!: BotCapitalDto | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  botId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'default' })
  name!: string | null;
  @ApiProperty()
  running!: boolean;
  @ApiProperty({ description: 'Whether this instance runs the bot (it holds its lease)' })
  runningHere!: boolean;
  @ApiProperty()
  paused!: boolean;
  @ApiProperty({ nullable: true, type: String })
  pauseReason!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'When a risk pause lifts by itself (the next UTC day for the daily loss limit, streakPauseMinutes for a losing streak); null when not paused or paused by command',
  })
  pausedUntil!: string | null;
  @ApiProperty()
  stopEntries!: boolean;
  @ApiProperty()
  killSwitch!: boolean;
  @ApiProperty({ nullable: true, type: String })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Newest candle acted on' })
  processedThrough!: string | null;
}

export class EngineMetricsDto {
  @ApiProperty({ example: 3600, description: 'Seconds since the bot started in this instance' })
  uptime!: number;
  @ApiProperty({ example: 1200 })
  cycleCount!: number;
  @ApiProperty({ nullable: true, type: Number, example: 47.5 })
  avgLatencyMs!: number | null;
  @ApiProperty({ example: 25 })
  totalSignals!: number;
  @ApiProperty({ example: 8 })
  totalTrades!: number;
  @ApiProperty({ example: 0.15 })
  dailyPnlR!: number;
  @ApiProperty({
    example: 1.5,
    description:
      'Deepest fall of the cumulative R of the trades closed since the bot was started (or resumed), from a peak',
  })
  maxDrawdownR!: number;
  @ApiProperty({ example: 0.5, description: 'The same over the trades closed today (UTC)' })
  dailyMaxDrawdownR!: number;
}

/** A bot: its status (without the engine status's `botId`: a bot is named by its `id`), account and metrics. */
export class BotDto extends OmitType(EngineStatusDto, ['botId'] as const) {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ nullable: true, type: String })
  accountId!: string | null;
  @ApiProperty({ type: [String], nullable: true })
  symbols!: string[] | null;
  @ApiProperty({ type: EngineMetricsDto })
  metrics!: EngineMetricsDto;
}

export class BotListDto extends PageOf(BotDto) {}

export class CommandResultDto {
  @ApiProperty({ example: true })
  success!: boolean;
  @ApiProperty({ example: 'Command executed successfully' })
  message!: string;
  @ApiProperty({ enum: ENGINE_COMMANDS })
  command!: EngineCommand;
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
  @ApiProperty({ type: EngineStatusDto })
  status!: EngineStatusDto;
}
