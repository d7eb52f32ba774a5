import type { DeliveryDto, WebhookDto } from './dto/webhook.dto';
import type { WebhookDelivery } from './webhook-delivery.entity';
import type { Webhook } from './webhook.entity';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toWebhookDto(webhook: Webhook): WebhookDto {
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    events: webhook.events,
    format: webhook.format,
    enabled: webhook.enabled,
    createdBy: webhook.createdBy,
    createdAt: webhook.createdAt.toISOString(),
    updatedAt: webhook.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(delivery: WebhookDelivery): DeliveryDto {
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt.toISOString(),
    lastResponseCode: delivery.lastResponseCode,
    lastError: delivery.lastError,
    lastAttemptAt: iso(delivery.lastAttemptAt),
    createdAt: delivery.createdAt.toISOString(),
    completedAt: iso(delivery.completedAt),
    redeliveryOf: delivery.redeliveryOf,
  };
}
