import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { OrderVenue } from './order.entity';

/** OPENING: entry order sent, nothing filled yet. OPEN: a position. CLOSING: exit order under way. */
export type TradeSource = 'api' | 'bot' | 'import' | '3commas';

export type TradeStatus = 'OPENING' | 'OPEN' | 'CLOSING' | 'CLOSED' | 'CANCELED';

/**
 * One round trip: entry fills, DCA fills and exit fills. An open trade is a position. Amounts are
 * kept as exact sums of the fills; PnL is in the quote currency and in R (multiples of the risk taken).
 */
@Entity('trades')
@Index('idx_trades_status', ['status'])
@Index('idx_trades_created_at', ['createdAt'])
@Index('uq_trades_external_id', ['externalId'], { unique: true, where: 'external_id IS NOT NULL' })
export class Trade {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'varchar', length: 5 })
  side!: 'long' | 'short';

  @Column({ type: 'varchar', length: 12 })
  status!: TradeStatus;

  @Column({ type: 'varchar', length: 8 })
  venue!: OrderVenue;

  @Column({ type: 'varchar', length: 64 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  exchangeId!: string;

  /** paper or live. */
  @Column({ type: 'varchar', length: 8 })
  mode!: 'paper' | 'live';

  /** Amount asked for at entry (base currency). */
  @Column({ type: 'numeric', precision: 38, scale: 18 })
  requestedAmount!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  entryAmount!: string;

  /**
   * Entry fees the exchange took in the coin bought (Binance and Bybit spot do): the position holds
   * `entryAmount - entryFeeBase`. They are in `fees` too, valued at their fill's price.
   */
  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  entryFeeBase!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  entryCost!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  exitAmount!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  exitCost!: string;

  /** All fees of the trade, in the quote currency. */
  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  fees!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  realizedPnl!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  stopLoss!: string | null;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  takeProfit!: string | null;

  /** Quote currency at risk when the position opened: |entry - stop| x amount. */
  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  initialRisk!: string | null;

  /**
   * What a bot sized it to lose at its stop, fees and spread included, as a share of the equity it
   * sized on; null for a trade not sized by a bot.
   */
  @Column({ type: 'numeric', precision: 12, scale: 10, nullable: true })
  riskShare!: string | null;

  /** What set a bot's trade size: its risk per trade, the free balance, or the slot cap. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  sizedBy!: 'risk' | 'cash' | 'slot' | null;

  @Column({ type: 'boolean', default: false })
  dcaEnabled!: boolean;

  @Column({ type: 'integer', default: 0 })
  maxDcaAttempts!: number;

  @Column({ type: 'integer', default: 0 })
  dcaAttempts!: number;

  /** stop_loss, take_profit, manual, time_stop, panic_exit, ... */
  @Column({ type: 'varchar', length: 32, nullable: true })
  closeReason!: string | null;

  /** api, bot, import (a closed position recorded by hand), or 3commas (a deal imported by a sync). */
  @Column({ type: 'varchar', length: 8, default: 'api' })
  source!: TradeSource;

  /** The venue's id of an imported trade (`3commas:deal:9001`): a second import finds it. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  externalId!: string | null;

  /** Seed 000's Fibonacci scores (see fibonacci-harmony.ts), filled in when first shown closed. */
  @Column({ type: 'numeric', precision: 6, scale: 4, nullable: true })
  entryHarmony!: string | null;

  @Column({ type: 'numeric', precision: 6, scale: 4, nullable: true })
  exitHarmony!: string | null;

  @Column({ type: 'numeric', precision: 6, scale: 4, nullable: true })
  fibonacciAlignment!: string | null;

  /** The ML model's confidence in `up` when it let the bot's entry through, and which model (`mlp v3`). */
  @Column({ type: 'double precision', nullable: true })
  mlConfidence!: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  mlModel!: string | null;

  @Column({ type: 'uuid', nullable: true })
  botId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  preset!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  openedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}
