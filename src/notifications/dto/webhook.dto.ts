import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { DELIVERY_STATUSES, DeliveryStatus } from '../webhook-delivery.entity';
import { WEBHOOK_EVENTS } from '../webhook-events';
import { WEBHOOK_FORMATS, WebhookFormat } from '../webhook.entity';

export class CreateWebhookDto {
  @ApiProperty({ example: 'ops channel', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    example: 'https://hooks.example.com/tradeplane',
    description: 'http(s); refused when it resolves to a private, loopback, link-local or metadata address',
  })
  @IsString()
  @Length(1, 2000)
  url!: string;

  @ApiProperty({
    enum: WEBHOOK_EVENTS,
    isArray: true,
    example: ['alert.raised', 'alert.resolved', 'bot.state'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events!: string[];

  @ApiPropertyOptional({
    enum: WEBHOOK_FORMATS,
    default: 'json',
    description: '`json`: the event; `slack` / `discord`: a text message for an incoming webhook of theirs',
  })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'ops channel' })
  name!: string;
  @ApiProperty({ example: 'https://hooks.example.com/tradeplane' })
  url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['alert.raised', 'alert.resolved'] })
  events!: string[];
  @ApiProperty({ enum: WEBHOOK_FORMATS, example: 'json' })
  format!: WebhookFormat;
  @ApiProperty({ example: true })
  enabled!: boolean;
  @ApiProperty({ example: 'user:ops' })
  createdBy!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_3q2+7w8Jc0bN1aPz6lTQ5YxV4mR9sK2e',
    description:
      'The signing secret, shown this once: X-Tradeplane-Signature is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>"> with it',
  })
  secret!: string;
}

export class WebhookListDto extends PageOf(WebhookDto) {}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'Also the X-Tradeplane-Delivery header' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  webhookId!: string;
  @ApiProperty({ format: 'uuid', description: 'The event id in the body, the same for each redelivery' })
  eventId!: string;
  @ApiProperty({ example: 'alert.raised' })
  eventType!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'succeeded' })
  status!: DeliveryStatus;
  @ApiProperty({ example: 3 })
  attempts!: number;
  @ApiProperty({ format: 'date-time', description: 'When it is tried next, while pending' })
  nextAttemptAt!: string;
  @ApiProperty({ nullable: true, type: Number, example: 200 })
  lastResponseCode!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'timed out after 10000 ms' })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  completedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'The delivery this one sends again',
  })
  redeliveryOf!: string | null;
}

export class DeliveryListDto extends PageOf(DeliveryDto) {}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
