import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { BacktestMetrics, BacktestTrade } from './backtest-types';
import type { DcaBacktestDeal, DcaBacktestMetrics } from './dca-backtest-engine';

export type BacktestStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface BacktestRequest {
  preset: string;
  /** The preset's kind when asked (absent in older jobs: strategy). */
  kind?: 'strategy' | 'dca';
  symbols: string[];
  timeframe: string;
  from: string;
  to: string;
  startingBalance: number;
  takerFee: number;
  /** The exchange account whose candles were replayed; null (or absent in older jobs): the simulated market. */
  accountId?: string | null;
  /** Whose candles: `simulated` or the exchange id. */
  exchange?: string;
  /** Entries pay the close plus this on an exchange's candles; null on the simulated market's book. */
  slippageBps?: number | null;
}

/** A backtest job: what was asked, how far it got, and what it found. */
@Entity('backtests')
export class Backtest {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: BacktestStatus;

  @Column({ type: 'jsonb' })
  request!: BacktestRequest;

  /** 0..100. */
  @Column({ type: 'real', default: 0 })
  progress!: number;

  @Column({ type: 'jsonb', nullable: true })
  metrics!: BacktestMetrics | null;

  @Column({ type: 'jsonb', nullable: true })
  equity!: Array<{ time: number; value: number }> | null;

  @Column({ type: 'jsonb', nullable: true })
  trades!: BacktestTrade[] | null;

  /** A DCA preset's backtest: its deals and their metrics (metrics and trades stay null). */
  @Column({ type: 'jsonb', nullable: true })
  dcaMetrics!: DcaBacktestMetrics | null;

  @Column({ type: 'jsonb', nullable: true })
  deals!: DcaBacktestDeal[] | null;

  @Column({ type: 'integer', default: 0 })
  candles!: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
