import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AlertSeverity } from './alert.entity';

export interface SilenceMatchers {
  type?: string;
  source?: string;
  severity?: AlertSeverity;
}

/**
 * A silence, as Alertmanager has them: alerts matching every one of its matchers, raised before it
 * ends, are stored and shown but not notified. Deleting one expires it (kept for the record).
 */
@Entity('alert_silences')
@Index('ix_alert_silences_ends', ['endsAt'])
export class AlertSilence {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'jsonb' })
  matchers!: SilenceMatchers;

  @Column({ type: 'timestamptz' })
  startsAt!: Date;

  /** `until` in the API. */
  @Column({ type: 'timestamptz' })
  endsAt!: Date;

  @Column({ type: 'varchar', length: 500 })
  comment!: string;

  @Column({ type: 'varchar', length: 200 })
  createdBy!: string;

  @Column({ type: 'timestamptz', nullable: true })
  expiredAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  expiredBy!: string | null;
}
