import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AppConfig } from '../platform/config/app-config';
import { SecretBox } from '../platform/crypto/secret-box';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import type { CreateWebhookDto, DeliveryQueryDto, UpdateWebhookDto } from './dto/webhook.dto';
import { webhookUrlProblem } from './webhook-address-guard';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { TEST_EVENT } from './webhook-events';
import { Webhook } from './webhook.entity';

/** Webhooks and their deliveries as people manage them; the dispatcher sends the deliveries. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: Repository<Webhook>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly secrets: SecretBox,
    private readonly config: AppConfig,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
  ) {}

  /** A new webhook and its signing secret, which is not shown again. */
  async create(dto: CreateWebhookDto, by: string): Promise<{ webhook: Webhook; secret: string }> {
    await this.checkUrl(dto.url);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const now = this.clock.now();
    const webhook = await this.webhooks.save(
      this.webhooks.create({
        id,
        name: dto.name,
        url: dto.url,
        events: dto.events,
        format: dto.format ?? 'json',
        enabled: dto.enabled ?? true,
        secretSealed: this.secrets.seal(secret, id),
        createdBy: by,
        createdAt: now,
        updatedAt: now,
      }),
    );
    return { webhook, secret };
  }

  async list(limit: number, offset: number): Promise<{ items: Webhook[]; total: number }> {
    const [items, total] = await this.webhooks.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async get(id: string): Promise<Webhook> {
    const webhook = await this.webhooks.findOneBy({ id });
    if (!webhook) throw ApiError.notFound(`No webhook ${id}`);
    return webhook;
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<Webhook> {
    const webhook = await this.get(id);
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    Object.assign(webhook, {
      ...(dto.name !== undefined && { name: dto.name }),
      ...(dto.url !== undefined && { url: dto.url }),
      ...(dto.events !== undefined && { events: dto.events }),
      ...(dto.format !== undefined && { format: dto.format }),
      ...(dto.enabled !== undefined && { enabled: dto.enabled }),
      updatedAt: this.clock.now(),
    });
    return this.webhooks.save(webhook);
  }

  /** Removes it with its deliveries (pending ones are not sent). */
  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.webhooks.delete({ id });
  }

  async deliveriesOf(
    webhookId: string,
    query: DeliveryQueryDto,
  ): Promise<{ items: WebhookDelivery[]; total: number }> {
    await this.get(webhookId);
    const [items, total] = await this.deliveries.findAndCount({
      where: { webhookId, ...(query.status && { status: query.status }) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  /** A `webhook.test` event for this webhook alone, sent by the dispatcher within a second. */
  async test(webhookId: string, by: string): Promise<WebhookDelivery> {
    const webhook = await this.get(webhookId);
    return this.enqueue(webhook.id, {
      eventId: randomUUID(),
      eventType: TEST_EVENT,
      occurredAt: this.clock.now(),
      data: { message: `test of webhook ${webhook.name}`, webhookId: webhook.id, requestedBy: by },
      redeliveryOf: null,
    });
  }

  /** The same event sent again as a new delivery (same event id). */
  async redeliver(deliveryId: string): Promise<WebhookDelivery> {
    const original = await this.deliveries.findOneBy({ id: deliveryId });
    if (!original) throw ApiError.notFound(`No webhook delivery ${deliveryId}`);
    if (original.status === 'pending')
      throw ApiError.conflict(`Delivery ${deliveryId} is still pending: it is being tried`);
    return this.enqueue(original.webhookId, {
      eventId: original.eventId,
      eventType: original.eventType,
      occurredAt: original.occurredAt,
      data: original.data,
      redeliveryOf: original.id,
    });
  }

  private async enqueue(
    webhookId: string,
    event: Pick<WebhookDelivery, 'eventId' | 'eventType' | 'occurredAt' | 'data' | 'redeliveryOf'>,
  ): Promise<WebhookDelivery> {
    const now = this.clock.now();
    const delivery = await this.deliveries.save(
      this.deliveries.create({
        id: randomUUID(),
        webhookId,
        ...event,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        lastResponseCode: null,
        lastError: null,
        lastAttemptAt: null,
        createdAt: now,
        completedAt: null,
      }),
    );
    this.dispatcher.wake();
    return delivery;
  }

  private async checkUrl(url: string): Promise<void> {
    const problem = await webhookUrlProblem(url, this.config.webhooks.allowPrivateNetworks);
    if (problem) throw ApiError.validation(problem, { fields: [problem] });
  }
}
