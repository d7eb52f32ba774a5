import { Column, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { Webhook } from './webhook.entity';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event on its way to one webhook: tried until the receiver answers 2xx, retried with backoff on
 * timeouts, 5xx, 408 and 429 for up to 24 hours, failed at once on other answers.
 */
@Entity('webhook_deliveries')
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: "status = 'pending'" })
@Index('ix_webhook_deliveries_webhook', ['webhookId', 'createdAt'])
@Index('uq_webhook_deliveries_event', ['webhookId', 'eventId'], {
  unique: true,
  where: 'redelivery_of IS NULL',
})
export class WebhookDelivery {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  webhookId!: string;

  @ManyToOne(() => Webhook, { onDelete: 'CASCADE' })
  webhook?: Webhook;

  /** The outbox event's id: the same for every webhook and every redelivery of it. */
  @Column({ type: 'uuid' })
  eventId!: string;

  @Column({ type: 'varchar', length: 64 })
  eventType!: string;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** An instance sending it holds it until then (another takes it over after a crash). */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ type: 'integer', nullable: true })
  lastResponseCode!: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** The delivery this one sends again (POST .../redeliver). */
  @Column({ type: 'uuid', nullable: true })
  redeliveryOf!: string | null;
}
