import { PageOf } from '../../platform/http/page.dto';
import { IsSymbolList } from '../../market/dto/symbol-list.decorator';
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
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

export class EngineStatusDto {
  @ApiProperty({ enum: ENGINE_STATES, example: 'IDLE' })
  state!: EngineState;
  @ApiProperty({ nullable: true, type: String, example: 'breakout_v1' })
  preset!: string | null;
  @ApiProperty({ nullable: true, enum: MODES, example: 'paper' })
  mode!: 'paper' | 'live' | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  startedAt!: string | null;
  @ApiProperty({ example: 3, description: "The preset's maximum concurrent positions" })
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
