import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LadderSettings } from './dca-ladder';

/** 3Commas' deal states. */
export const DEAL_STATUSES = [
  'created',
  'base_order_placed',
  'bought',
  'ttp_activated',
  'completed',
  'stop_loss_finished',
  'panic_sold',
  'cancelled',
  'failed',
] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
export const ACTIVE_DEAL_STATUSES: readonly DealStatus[] = [
  'created',
  'base_order_placed',
  'bought',
  'ttp_activated',
];

export interface TakeProfitStep {
  /** Share of the position this step sells, percent (the steps make 100). */
  amountPercent: number;
  /** Its profit over the average entry, percent. */
  profitPercent: number;
}

export interface DealSettings extends LadderSettings {
  /** Up to 4 take-profit steps instead of one at `takeProfit`; with trailing, the last one trails. */
  takeProfitSteps?: TakeProfitStep[] | null;
  /** Once the first take-profit step has sold, the stop moves to the average entry. */
  stopLossToBreakeven?: boolean;
  /** Safety orders resting on the book at once. */
  activeSafetyOrders: number;
  /** The base order: at market, or a limit at the ask when the deal starts. */
  startOrderType?: 'market' | 'limit';
  /** Percent below the average entry at which the deal is sold at market; null: none. */
  stopLoss: number | null;
  /** Trailing take profit: once the target is reached, sell when the price falls this far (percent) from its high. */
  trailingDeviation: number | null;
  /** A deal open this long is sold at market; null: no timeout. */
  dealTimeoutMinutes: number | null;
  /**
   * A trade opened with DCA on (seed 004) keeps its own stop loss and take profit levels, which the
   * trade guard watches: the deal only adds its safety orders.
   */
  exitsByTrade?: boolean;
}

export interface PlannedOrder {
  index: number;
  price: string;
  amount: string;
}

/**
 * A DCA deal: one position (its trade) built by a base order and safety orders resting below it, and
 * closed by a take profit, a stop loss or a command. The orders are the trade's orders; which rung of
 * the ladder each is comes from its client order id.
 */
@Entity('dca_deals')
@Index('ix_dca_deals_status', ['status'])
@Index('ix_dca_deals_bot', ['botId', 'createdAt'])
// One deal under way per bot and pair, whichever instance or request starts it.
@Index('uq_dca_deals_bot_pair_active', ['botId', 'symbol'], {
  unique: true,
  where: `"bot_id" IS NOT NULL AND "status" IN ('created', 'base_order_placed', 'bought', 'ttp_activated')`,
})
export class DcaDeal {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Short, stable key of the deal in its orders' client ids. */
  @Column({ type: 'varchar', length: 16 })
  orderKey!: string;

  @Column({ type: 'uuid', nullable: true })
  botId!: string | null;

  @Column({ type: 'varchar', length: 40 })
  symbol!: string;

  @Column({ type: 'varchar', length: 16 })
  venue!: 'paper' | 'exchange';

  /** The paper account's name or the exchange account's id. */
  @Column({ type: 'varchar', length: 100 })
  accountId!: string;

  @Column({ type: 'varchar', length: 24 })
  status!: DealStatus;

  @Column({ type: 'jsonb' })
  settings!: DealSettings;

  /** The position the deal builds; null until its base order is written. */
  @Column({ type: 'uuid', nullable: true })
  tradeId!: string | null;

  /** The base order's fill price: the ladder hangs from it. */
  @Column({ type: 'numeric', nullable: true })
  basePrice!: string | null;

  /** The safety orders planned from the base fill (index 1..N). */
  @Column({ type: 'jsonb' })
  ladder!: PlannedOrder[];

  @Column({ type: 'integer', default: 0 })
  safetyOrdersFilled!: number;

  @Column({ type: 'numeric', nullable: true })
  takeProfitPrice!: string | null;

  /** How many take-profit orders were placed (each replacement is a new one). */
  @Column({ type: 'integer', default: 0 })
  takeProfitOrders!: number;

  /** The highest price seen since a trailing take profit was activated. */
  @Column({ type: 'numeric', nullable: true })
  trailingHigh!: string | null;

  /** Why it ended: take_profit, trailing_take_profit, stop_loss, timeout, panic_sell, cancel, base order... */
  @Column({ type: 'varchar', length: 200, nullable: true })
  closeReason!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  createdBy!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}
