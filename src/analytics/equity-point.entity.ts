import { Column, Entity, PrimaryColumn } from 'typeorm';

export const EQUITY_SCOPES = ['paper', 'exchange', 'bot'] as const;
export type EquityScope = (typeof EQUITY_SCOPES)[number];
export const EQUITY_RESOLUTIONS = ['minute', 'hour', 'day'] as const;
export type EquityResolution = (typeof EQUITY_RESOLUTIONS)[number];

/**
 * Mark-to-market equity of a paper account, an exchange account or a running bot: recorded every
 * minute, rolled up into hours and days (a bucket's point is its last minute's: its close).
 */
@Entity('equity_points')
export class EquityPoint {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  scope!: EquityScope;

  /** The paper account's name, the exchange account's id or the bot's id. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  scopeId!: string;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  resolution!: EquityResolution;

  /** The minute, or the start of the hour or day. */
  @PrimaryColumn({ type: 'timestamptz' })
  at!: Date;

  /** When the value was measured (the bucket's last minute). */
  @Column({ type: 'timestamptz' })
  measuredAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  currency!: string;

  @Column({ type: 'double precision' })
  value!: number;

  /** Closed trades' PnL (fees in) and the open ones' at the price then. */
  @Column({ type: 'double precision' })
  realizedPnl!: number;

  @Column({ type: 'double precision' })
  unrealizedPnl!: number;

  /** Σ R of the closed trades (those with a stop). */
  @Column({ type: 'double precision' })
  cumulativeR!: number;
}
