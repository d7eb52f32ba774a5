import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { SYNC_SOURCES, SyncSource } from '../sync-run.entity';

export class StartSyncDto {
  @ApiProperty({ enum: SYNC_SOURCES, description: 'An exchange account, or a 3Commas connection' })
  @IsIn(SYNC_SOURCES)
  source!: SyncSource;

  @ApiProperty({ format: 'uuid', description: 'The exchange account or 3Commas connection' })
  @IsUUID()
  accountId!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only what happened from then on, when there is no cursor yet (or with force)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Start from `since` (or the beginning) instead of where the last sync stopped; known records are still not written twice',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class SyncStartedDto {
  @ApiProperty({ format: 'uuid' })
  runId!: string;

  @ApiProperty({ format: 'uuid', description: 'The job (GET /api/jobs/:id, topic jobs)' })
  jobId!: string;

  @ApiProperty({ enum: SYNC_SOURCES })
  source!: SyncSource;

  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({ format: 'date-time' })
  syncStarted!: string;

  @ApiProperty({ example: '1m' })
  estimatedDuration!: string;

  @ApiProperty({ enum: ['queued'] })
  status!: 'queued';
}

export class SyncListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SYNC_SOURCES })
  @IsOptional()
  @IsIn(SYNC_SOURCES)
  source?: SyncSource;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class SyncRunDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: SYNC_SOURCES })
  source!: SyncSource;

  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({ enum: ['manual', 'schedule'] })
  trigger!: 'manual' | 'schedule';

  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] })
  state!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  jobId!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  since!: string | null;

  @ApiProperty()
  force!: boolean;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  progress!: number;

  @ApiProperty({ type: 'integer', description: 'Records the venue returned' })
  fetched!: number;

  @ApiProperty({ type: 'integer', description: 'New records written' })
  imported!: number;

  @ApiProperty({ type: 'integer', description: 'Already known from an earlier sync' })
  skipped!: number;

  @ApiProperty({
    type: 'integer',
    description: 'Trades of orders Tradeplane placed: linked to their orders, not imported as new',
  })
  matched!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { symbols: 3, openOrders: 1, balances: 4 },
    description: 'What else the run took: symbols, open orders, balances (exchange); open deals (3Commas)',
  })
  details!: Record<string, number>;

  @ApiProperty({
    type: [String],
    description: 'Errors of failed attempts (a later attempt may have succeeded)',
  })
  errors!: string[];

  @ApiProperty({ nullable: true, type: String })
  requestedBy!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finishedAt!: string | null;
}

export class SyncRunListDto extends PageOf(SyncRunDto) {}

export class SnapshotBalanceDto {
  @ApiProperty({ example: 'BTC' }) currency!: string;
  @ApiProperty({ example: '0.5' }) free!: string;
  @ApiProperty({ example: '0' }) used!: string;
  @ApiProperty({ example: '0.5' }) total!: string;
}

export class SnapshotOrderDto {
  @ApiProperty({ description: "The exchange's order id" }) id!: string;
  @ApiProperty() clientOrderId!: string;
  @ApiProperty({ example: 'BTC/USDT' }) symbol!: string;
  @ApiProperty({ enum: ['buy', 'sell'] }) side!: string;
  @ApiProperty({ example: 'limit' }) type!: string;
  @ApiProperty({ example: '0.01' }) amount!: string;
  @ApiProperty({ example: '0' }) filled!: string;
  @ApiProperty({ nullable: true, type: String, example: '58000' }) price!: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Our order, when Tradeplane placed it',
  })
  orderId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AccountSnapshotDto {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ type: [SnapshotBalanceDto] }) balances!: SnapshotBalanceDto[];
  @ApiProperty({ type: [SnapshotOrderDto] }) openOrders!: SnapshotOrderDto[];
  @ApiProperty({ format: 'uuid' }) syncRunId!: string;
  @ApiProperty({ format: 'date-time' }) takenAt!: string;
}

export class ExchangeTradeDto {
  @ApiProperty({ example: 'BTC/USDT' }) symbol!: string;
  @ApiProperty({ description: "The exchange's trade id" }) tradeId!: string;
  @ApiProperty({ description: "The exchange's order id" }) exchangeOrderId!: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Our order, when Tradeplane placed it',
  })
  orderId!: string | null;
  @ApiProperty({ enum: ['buy', 'sell'] }) side!: string;
  @ApiProperty() price!: number;
  @ApiProperty() amount!: number;
  @ApiProperty() cost!: number;
  @ApiProperty() fee!: number;
  @ApiProperty() feeCurrency!: string;
  @ApiProperty({ format: 'date-time' }) executedAt!: string;
}

export class ExchangeTradeListDto extends PageOf(ExchangeTradeDto) {}
