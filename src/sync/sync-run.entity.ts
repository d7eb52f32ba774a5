import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const SYNC_SOURCES = ['exchange', '3commas'] as const;
export type SyncSource = (typeof SYNC_SOURCES)[number];
export type SyncRunState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** One import from an exchange account or a 3Commas connection, with what it fetched and imported. */
@Entity('sync_runs')
@Index('idx_sync_runs_account_created', ['source', 'accountId', 'createdAt'])
export class SyncRun {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  source!: SyncSource;

  /** The exchange account or 3Commas connection. */
  @Column({ type: 'uuid' })
  accountId!: string;

  @Column({ type: 'varchar', length: 8 })
  trigger!: 'manual' | 'schedule';

  @Column({ type: 'varchar', length: 12 })
  state!: SyncRunState;

  @Column({ type: 'uuid', nullable: true })
  jobId!: string | null;

  /** Only what happened from this time on (a first sync without it takes everything the venue keeps). */
  @Column({ type: 'timestamptz', nullable: true })
  since!: Date | null;

  /** Start again from `since` (or the beginning) instead of the stored cursors. */
  @Column({ type: 'boolean', default: false })
  force!: boolean;

  @Column({ type: 'integer', default: 0 })
  progress!: number;

  /** Records the venue returned. */
  @Column({ type: 'integer', default: 0 })
  fetched!: number;

  /** New records written. */
  @Column({ type: 'integer', default: 0 })
  imported!: number;

  /** Already known (an earlier sync had them), so not written again. */
  @Column({ type: 'integer', default: 0 })
  skipped!: number;

  /** Fills of orders Tradeplane placed itself: linked to their orders, not imported as strangers. */
  @Column({ type: 'integer', default: 0 })
  matched!: number;

  /** What else the run took: open orders and balances (exchange), deals still open (3Commas). */
  @Column({ type: 'jsonb', default: {} })
  details!: Record<string, number>;

  @Column({ type: 'jsonb', default: [] })
  errors!: string[];

  @Column({ type: 'varchar', length: 100, nullable: true })
  requestedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
