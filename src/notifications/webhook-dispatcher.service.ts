import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import { DataSource, In } from 'typeorm';
import { AppConfig } from '../platform/config/app-config';
import { SecretBox } from '../platform/crypto/secret-box';
import { errorMessage } from '../platform/errors/error-message';
import { MetricsService } from '../platform/metrics/metrics.service';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Clock } from '../platform/time/clock';
import { webhookBody } from './webhook-payload';
import { WebhookDelivery } from './webhook-delivery.entity';
import { sendWebhook, WebhookResponse } from './webhook-sender';
import { webhookSignature } from './webhook-signature';
import { Webhook } from './webhook.entity';

const TICK_MS = 1000;
/** Deliveries one instance sends at a time. */
const BATCH = 20;
/** A delivery is retried for this long after it was created, then it has failed. */
const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const OUTBOX_RETENTION_MS = 7 * 24 * HOUR_MS;
const DELIVERY_RETENTION_MS = 30 * 24 * HOUR_MS;

export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed';

/** 2xx succeeds; no answer, 5xx, 408 and 429 are tried again; any other answer fails for good. */
export function outcomeOf(response: WebhookResponse): DeliveryOutcome {
  if ('error' in response) return 'retry';
  if (response.status >= 200 && response.status < 300) return 'succeeded';
  if (response.status >= 500 || response.status === 408 || response.status === 429) return 'retry';
  return 'failed';
}

/** The wait before attempt n + 1 after n failed attempts: base · 2^(n−1), ±20 % jitter. */
export function retryDelayMs(baseMs: number, failedAttempts: number, random = Math.random()): number {
  return Math.round(baseMs * 2 ** (failedAttempts - 1) * (0.8 + 0.4 * random));
}

/**
 * Moves the outbox's events to the webhooks subscribed to them (one delivery each), and sends the
 * deliveries that are due, signed, each claimed by one instance at a time. Every second; whatever
 * is pending when an instance stops is sent after the restart (or by another instance).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  /** A round before the next tick: a retry due sooner, or a delivery just queued here. */
  private wakeup: NodeJS.Timeout | undefined;
  private stopped = false;
  private again = false;
  private lastRetention = 0;
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly settings: RuntimeSettings,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    this.outcomes = new Counter({
      name: 'tradeplane_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (succeeded, retry, failed)',
      labelNames: ['outcome'],
      registers: [metrics.registry('system')],
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.wakeup);
    await this.running;
  }

  /** Runs a round in `ms` (at once by default) when that is before the next tick. */
  wake(ms = 0): void {
    if (this.stopped || ms >= TICK_MS) return;
    clearTimeout(this.wakeup);
    this.wakeup = setTimeout(() => void this.tick(), ms);
    this.wakeup.unref();
  }

  /** One round: fan out, send what is due, now and then drop old rows. Rounds do not overlap. */
  tick(): Promise<void> {
    if (this.running) {
      // Asked during a round: another follows it (what was asked for may have come too late for this one).
      this.again = true;
      return this.running;
    }
    this.running = this.round()
      .catch((error: unknown) => this.logger.warn(`webhook round failed: ${errorMessage(error)}`))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.tick();
        }
      });
    return this.running;
  }

  private async round(): Promise<void> {
    await this.fanOut();
    if (this.settings.section('notifications').webhooksEnabled) await this.sendDue();
    if (this.clock.nowMs() - this.lastRetention > HOUR_MS) {
      this.lastRetention = this.clock.nowMs();
      await this.dropOld();
    }
  }

  /** Outbox events to one delivery per enabled webhook subscribed to their type, in one statement. */
  async fanOut(): Promise<void> {
    await this.dataSource.query(
      `WITH batch AS (
         SELECT id FROM outbox_events WHERE dispatched_at IS NULL ORDER BY occurred_at LIMIT 500 FOR UPDATE SKIP LOCKED
       ), marked AS (
         UPDATE outbox_events e SET dispatched_at = $1 FROM batch WHERE e.id = batch.id
         RETURNING e.id, e.type, e.data, e.occurred_at
       )
       INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, occurred_at, data, status, attempts, next_attempt_at, created_at)
       SELECT gen_random_uuid(), w.id, m.id, m.type, m.occurred_at, m.data, 'pending', 0, $1, $1
       FROM marked m JOIN webhooks w ON w.enabled AND w.events ? m.type
       ON CONFLICT DO NOTHING`,
      [this.clock.now()],
    );
  }

  private async sendDue(): Promise<void> {
    const now = this.clock.nowMs();
    const claim = new Date(now + this.config.webhooks.timeoutMs + 30_000);
    const claimed = await this.dataSource.query<Array<{ id: string }>>(
      // A SELECT around the UPDATE: TypeORM answers an UPDATE's rows with its count beside them.
      `WITH claimed AS (
         UPDATE webhook_deliveries SET locked_until = $2
         WHERE id IN (
           SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
           WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.locked_until IS NULL OR d.locked_until < $1)
           ORDER BY d.next_attempt_at LIMIT ${BATCH} FOR UPDATE OF d SKIP LOCKED)
         RETURNING id)
       SELECT id FROM claimed`,
      [new Date(now), claim],
    );
    if (claimed.length === 0) return;
    const deliveries = await this.dataSource.getRepository(WebhookDelivery).find({
      where: { id: In(claimed.map((row) => row.id)) },
      relations: { webhook: true },
      order: { occurredAt: 'ASC' },
    });
    await Promise.all(deliveries.map((delivery) => this.attempt(delivery, delivery.webhook!, claim)));
  }

  private async attempt(delivery: WebhookDelivery, webhook: Webhook, claim: Date): Promise<void> {
    const body = webhookBody(webhook.format, {
      id: delivery.eventId,
      type: delivery.eventType,
      time: delivery.occurredAt.toISOString(),
      data: delivery.data,
    });
    // The signature's time is the wall clock's: receivers compare it with theirs to refuse replays.
    const signedAt = Math.floor(Date.now() / 1000);
    const response = await sendWebhook({
      url: webhook.url,
      body,
      headers: {
        'user-agent': `Tradeplane-Webhook/${this.config.version}`,
        'x-tradeplane-event': delivery.eventType,
        'x-tradeplane-delivery': delivery.id,
        'x-tradeplane-signature': webhookSignature(
          this.secrets.open(webhook.secretSealed, webhook.id),
          signedAt,
          body,
        ),
      },
      timeoutMs: this.config.webhooks.timeoutMs,
      allowPrivateNetworks: this.config.webhooks.allowPrivateNetworks,
    });
    await this.record(delivery, response, claim);
  }

  /** Writes the attempt's outcome, only while this instance still holds its claim on the delivery. */
  private async record(delivery: WebhookDelivery, response: WebhookResponse, claim: Date): Promise<void> {
    const now = this.clock.nowMs();
    const attempts = delivery.attempts + 1;
    let outcome = outcomeOf(response);
    const nextAttemptAt = now + retryDelayMs(this.config.webhooks.retryBaseMs, attempts);
    if (outcome === 'retry' && nextAttemptAt > delivery.createdAt.getTime() + RETRY_WINDOW_MS)
      outcome = 'failed';
    this.outcomes.labels(outcome).inc();
    const written = await this.dataSource.getRepository(WebhookDelivery).update(
      { id: delivery.id, status: 'pending', lockedUntil: claim },
      {
        attempts,
        status: outcome === 'retry' ? 'pending' : outcome,
        nextAttemptAt: new Date(outcome === 'retry' ? nextAttemptAt : now),
        lockedUntil: null,
        lastResponseCode: 'status' in response ? response.status : null,
        lastError: 'error' in response ? response.error : null,
        lastAttemptAt: new Date(now),
        completedAt: outcome === 'retry' ? null : new Date(now),
      },
    );
    if (!written.affected) return; // another instance took it over meanwhile: its outcome stands
    if (outcome === 'retry') this.wake(nextAttemptAt - now);
    if (outcome === 'failed')
      this.logger.warn(
        `webhook delivery ${delivery.id} (${delivery.eventType}) failed after ${attempts} attempts: ${'status' in response ? `HTTP ${response.status}` : response.error}`,
      );
  }

  private async dropOld(): Promise<void> {
    const now = this.clock.nowMs();
    await this.dataSource.query('DELETE FROM outbox_events WHERE dispatched_at < $1', [
      new Date(now - OUTBOX_RETENTION_MS),
    ]);
    await this.dataSource.query(
      "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND completed_at < $1",
      [new Date(now - DELIVERY_RETENTION_MS)],
    );
  }
}
