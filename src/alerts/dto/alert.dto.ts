import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { Transform } from 'class-transformer';
import { PageOf, PageQueryDto, queryBoolean } from '../../platform/http/page.dto';
import { ALERT_EVENTS, AlertEventKind } from '../alert-event.entity';
import { ALERT_SEVERITIES, ALERT_STATUSES, AlertSeverity, AlertStatus } from '../alert.entity';

export class AlertDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'DAILY_LOSS_LIMIT' })
  type!: string;
  @ApiProperty({ enum: ALERT_SEVERITIES, example: 'warning' })
  severity!: AlertSeverity;
  @ApiProperty({
    example: 'bot:0b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11',
    description: '`bot:<id>`, `system`, ...',
  })
  source!: string;
  @ApiProperty({
    example: 'default paused until 2026-12-03T00:00:00.000Z: daily loss -3.2R reached the limit of -3R',
  })
  message!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { botId: '0b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11' },
  })
  data!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { bot: 'default' } })
  labels!: Record<string, string>;
  @ApiProperty({
    example: 'DAILY_LOSS_LIMIT|bot:0b7c9a52-4f1e-4c1a-9d0e-6f1f3c2b8a11',
    description: 'type|source',
  })
  fingerprint!: string;
  @ApiProperty({ enum: ALERT_STATUSES, example: 'firing' })
  status!: AlertStatus;
  @ApiProperty({ example: 2, description: 'How often it was raised while not resolved' })
  count!: number;
  @ApiProperty({ format: 'date-time' })
  firstSeenAt!: string;
  @ApiProperty({ format: 'date-time' })
  lastSeenAt!: string;
  @ApiProperty({ nullable: true, type: String, example: 'user:ops' })
  acknowledgedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  acknowledgedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'system' })
  resolvedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'limits raised for the day' })
  note!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'The silence that covered it when last raised: not notified',
  })
  silencedBy!: string | null;
}

export class AlertHistoryEntryDto {
  @ApiProperty({ enum: ALERT_EVENTS, example: 'acknowledged' })
  event!: AlertEventKind;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'user:ops',
    description: 'Who acknowledged or resolved it',
  })
  by!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'looking into it',
    description: 'The message of a raise or repeat, the note of an acknowledgement or resolution',
  })
  text!: string | null;
}

export class AlertDetailDto extends AlertDto {
  @ApiProperty({
    type: [AlertHistoryEntryDto],
    description: 'Its changes, oldest first (the newest 20 repeats)',
  })
  history!: AlertHistoryEntryDto[];
}

export class AlertListDto extends PageOf(AlertDto) {
  @ApiProperty({ example: 12, description: 'Stored alerts matching the filters, resolved ones included' })
  totalAlerts!: number;
  @ApiProperty({ example: 2, description: 'Of those, the ones not resolved (firing or acknowledged)' })
  activeAlerts!: number;
}

export class AlertQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Only alerts not resolved' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  activeOnly?: boolean;

  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES)
  severity?: AlertSeverity;

  @ApiPropertyOptional({ example: 'DAILY_LOSS_LIMIT' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  type?: string;

  @ApiPropertyOptional({ example: 'system' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Seen at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}

export class AlertNoteDto {
  @ApiPropertyOptional({ example: 'looking into it' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}
