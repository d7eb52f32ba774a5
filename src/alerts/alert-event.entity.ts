import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ALERT_EVENTS = ['raised', 'repeated', 'acknowledged', 'resolved'] as const;
export type AlertEventKind = (typeof ALERT_EVENTS)[number];

/** One change of a stored alert: its history (the newest repeats only: see REPEATS_KEPT). */
@Entity('alert_events')
@Index('ix_alert_events_alert', ['alertId', 'at'])
export class AlertEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'uuid' })
  alertId!: string;

  @Column({ type: 'varchar', length: 16 })
  event!: AlertEventKind;

  @Column({ type: 'timestamptz' })
  at!: Date;

  /** Who acknowledged or resolved it (`system` for a condition that cleared); null for raises. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  by!: string | null;

  /** The message of a raise or repeat, the note of an acknowledgement or resolution. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  text!: string | null;
}
