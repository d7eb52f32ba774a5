import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AlertSeverity } from './alert.entity';

/**
 * A rule on a measured value of this system: when the value stays above `threshold` for `forSeconds`
 * (pending until then, as Prometheus does) the rule's alert fires; when it falls back, the alert
 * resolves itself.
 */
@Entity('alert_rules')
export class AlertRule {
  /** HIGH_CPU, HIGH_MEMORY, EVENT_LOOP_LAG, HIGH_DISK. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ type: 'float8' })
  threshold!: number;

  @Column({ type: 'integer' })
  forSeconds!: number;

  @Column({ type: 'varchar', length: 16 })
  severity!: AlertSeverity;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;

  /** `system` for the defaults. */
  @Column({ type: 'varchar', length: 200 })
  updatedBy!: string;
}
