import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { OrderSide, OrderType } from '../exchange/exchange-port';
import { OrderStatus } from './order-status';

export type OrderVenue = 'paper' | 'exchange';

/**
 * An order of the trading core, on the paper exchange or a live one. Written (PENDING_SUBMIT, with
 * our client order id) and committed before the exchange is called; the exchange's answers update it.
 */
@Entity('orders')
@Index('uq_orders_client_order_id', ['clientOrderId'], { unique: true })
@Index('idx_orders_status', ['status'])
@Index('idx_orders_created_at', ['createdAt'])
@Index('idx_orders_trade', ['tradeId'])
export class Order {
  /** Chosen before the insert: the client order id is derived from it. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  clientOrderId!: string;

  @Column({ type: 'varchar', length: 8 })
  venue!: OrderVenue;

  /** The paper account's name, or the exchange account's id. */
  @Column({ type: 'varchar', length: 64 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  exchangeId!: string;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'varchar', length: 4 })
  side!: OrderSide;

  @Column({ type: 'varchar', length: 8 })
  type!: OrderType;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  price!: string | null;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  stopPrice!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: OrderStatus;

  @Column({ type: 'varchar', length: 300, nullable: true })
  statusReason!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  exchangeOrderId!: string | null;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  filled!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  averagePrice!: string | null;

  /** Quote spent or received. */
  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  cost!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: 0 })
  fee!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  feeCurrency!: string | null;

  /** Why the order exists within a trade: entry, exit, stop_loss, take_profit, dca; null for manual orders. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  intent!: string | null;

  @Column({ type: 'uuid', nullable: true })
  tradeId!: string | null;

  /** An exit that closes all of its trade: once filled the trade is closed, whatever dust is left. */
  @Column({ type: 'boolean', default: false })
  closesTrade!: boolean;

  @Column({ type: 'uuid', nullable: true })
  botId!: string | null;

  /** "user:<id>" or "apiKey:<id>"; null for the system (bots, stop management, reconciliation). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  filledAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}
