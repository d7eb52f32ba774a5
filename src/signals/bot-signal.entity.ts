import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const SIGNAL_ACTIONS = ['buy', 'sell', 'close', 'start_deal'] as const;
export type SignalAction = (typeof SIGNAL_ACTIONS)[number];

/** What the bot did with a signal: acted, had nothing to do, or refused it (with the HTTP status). */
export type SignalOutcome = 'acted' | 'ignored' | 'refused';

/** A signal a bot received on its signal URL (TradingView-style), and what it did with it. */
@Entity('bot_signals')
@Index('uq_bot_signals_bot_external_id', ['botId', 'externalId'], {
  unique: true,
  where: 'external_id IS NOT NULL',
})
@Index('idx_bot_signals_bot_received', ['botId', 'receivedAt'])
export class BotSignal {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  botId!: string;

  @Column({ type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  action!: SignalAction;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'double precision', nullable: true })
  price!: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  comment!: string | null;

  /** The sender's id of the signal: the same id acts once. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  externalId!: string | null;

  /** SHA-256 of the body: the same body within 60 s acts once. */
  @Column({ type: 'varchar', length: 64 })
  bodyHash!: string;

  @Column({ type: 'varchar', length: 8 })
  outcome!: SignalOutcome;

  @Column({ type: 'integer' })
  status!: number;

  @Column({ type: 'text' })
  detail!: string;

  /** The trades it opened or closed, or the deal it started. */
  @Column({ type: 'jsonb' })
  refs!: { tradeIds?: string[]; dealId?: string };
}
