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

  /** Open positions (all accounts) when sampled. */
  @Column({ type: 'integer', default: 0 })
  openPositions!: number;

  /** Exchange API requests this instance made since its previous sample, failed ones, their summed duration. */
  @Column({ type: 'integer', default: 0 })
  exchangeRequests!: number;

  @Column({ type: 'integer', default: 0 })
  exchangeErrors!: number;

  @Column({ type: 'double precision', default: 0 })
  exchangeLatencyMsSum!: number;
}
