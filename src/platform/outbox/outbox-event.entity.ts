import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An event for the outside world (webhooks), written in the same transaction as the change it tells
 * of, so a change is never without its event nor an event without its change. The notifications
 * module hands each one to its subscribers and marks it dispatched.
 */
@Entity('outbox_events')
@Index('ix_outbox_events_pending', ['occurredAt'], { where: 'dispatched_at IS NULL' })
export class OutboxEvent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** `alert.raised`, `order.filled`, `trade.closed`, ... */
  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;
}
