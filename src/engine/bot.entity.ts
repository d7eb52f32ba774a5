import { Index, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { EngineState } from './engine-state';

/**
 * A bot: a preset running on an exchange account (the paper account when null) in paper or live mode.
 * `running` is what it should be doing, so a restart resumes it; `state` is what it was last doing.
 */
@Entity('bots')
export class Bot {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** `default` is the bot the /api/engine routes act on. */
  @Column({ type: 'varchar', length: 64, unique: true })
  name!: string;

  @Column({ type: 'varchar', length: 64 })
  preset!: string;

  @Column({ type: 'varchar', length: 8 })
  mode!: 'paper' | 'live';

  /** An exchange account id; null trades on the default paper account. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  accountId!: string | null;

  /**
   * In paper mode without `sharedPaperAccount`: the bot's own paper account, funded with `capital`.
   * On a shared account (a named paper account or an exchange account): the paper account's name, and
   * the bot's allocation of it, `capital` (in the quote currency) or `capitalPercent` of its equity.
   */
  @Column({ type: 'varchar', length: 100, nullable: true })
  paperAccount!: string | null;

  @Column({ type: 'boolean', default: false })
  sharedAccount!: boolean;

  @Column({ type: 'numeric', precision: 30, scale: 10, nullable: true })
  capital!: string | null;

  @Column({ type: 'numeric', precision: 7, scale: 4, nullable: true })
  capitalPercent!: string | null;

  /** Symbols to trade instead of the preset's universe. */
  @Column({ type: 'jsonb', nullable: true })
  symbols!: string[] | null;

  @Column({ type: 'boolean', default: false })
  running!: boolean;

  @Column({ type: 'varchar', length: 16, default: 'IDLE' })
  state!: EngineState;

  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  @Column({ type: 'varchar', length: 200, nullable: true })
  pauseReason!: string | null;

  /** When a risk pause lifts by itself; null for a pause by command, which lasts until resume. */
  @Column({ type: 'timestamptz', nullable: true })
  pausedUntil!: Date | null;

  /** No new entries; open positions are still managed. */
  @Column({ type: 'boolean', default: false })
  stopEntries!: boolean;

  /** Set by kill_switch: the bot refuses to start until an ADMIN resets it. */
  @Column({ type: 'boolean', default: false })
  killSwitch!: boolean;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  /** Open time of the newest candle whose signals the bot has acted on (resumes there after a restart). */
  @Column({ type: 'timestamptz', nullable: true })
  processedThrough!: Date | null;

  /** Losses before this moment do not count towards the risk limits (set by start and resume). */
  @Column({ type: 'timestamptz', nullable: true })
  riskWindowStart!: Date | null;

  /** Losses before this moment do not count towards a losing streak (set when a risk pause lifts). */
  @Column({ type: 'timestamptz', nullable: true })
  streakWindowStart!: Date | null;

  @Column({ type: 'integer', default: 0 })
  signalCount!: number;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  /** SHA-256 of the bot's signal URL token (the token itself is shown once); null: none. */
  @Index('uq_bots_signal_token_hash', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  signalTokenHash!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  signalTokenCreatedAt!: Date | null;
}
