import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One reading of the process and host, taken every 15 seconds and kept for 7 days. */
@Entity('system_samples')
@Index('idx_system_samples_sampled_at', ['sampledAt'])
export class SystemSample {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'timestamptz' })
  sampledAt!: Date;

  @Column({ type: 'double precision' })
  cpuPercent!: number;

  @Column({ type: 'double precision' })
  memoryPercent!: number;

  @Column({ type: 'bigint' })
  rssBytes!: string;

  @Column({ type: 'double precision' })
  eventLoopLagMs!: number;

  @Column({ type: 'double precision', nullable: true })
  diskUsedPercent!: number | null;

  @Column({ type: 'double precision' })
  loadAverage!: number;
}
