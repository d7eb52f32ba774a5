import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * A stored alert. Its fingerprint (type and source) identifies the condition: a repeat while it is not
 * resolved raises its count and lastSeenAt instead of adding a row (one open alert per fingerprint).
 */
@Entity('alerts')
@Index('uq_alerts_open_fingerprint', ['fingerprint'], { unique: true, where: "status <> 'resolved'" })
@Index('ix_alerts_last_seen', ['lastSeenAt'])
export class Alert {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** DAILY_LOSS_LIMIT, CONSECUTIVE_LOSSES, BOT_ERROR, ENTRY_REFUSED, EXPOSURE_CAP, ... */
  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  severity!: AlertSeverity;

  /** What it is about: `bot:<id>`, `exchange-account:<id>`, `system`. */
  @Column({ type: 'varchar', length: 200 })
  source!: string;

  @Column({ type: 'varchar', length: 1000 })
  message!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  labels!: Record<string, string>;

  @Column({ type: 'varchar', length: 300 })
  fingerprint!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: AlertStatus;

  @Column({ type: 'integer', default: 1 })
  count!: number;

  @Column({ type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  resolvedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  /** Said by whoever acknowledged or resolved it. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  note!: string | null;

  /** The silence that covered it when it was last raised: stored and shown, not notified. */
  @Column({ type: 'uuid', nullable: true })
  silencedBy!: string | null;

  /** Its raise went to the webhooks (not while silenced): then, and only then, its resolution goes too. */
  @Column({ type: 'boolean', default: false })
  notified!: boolean;
}
