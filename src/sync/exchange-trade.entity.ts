import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A trade of an exchange account as the exchange lists it (fetchMyTrades), imported by a sync: the
 * account's whole history, including what was traded outside Tradeplane. A trade of an order
 * Tradeplane placed is linked to that order.
 */
@Entity('exchange_trades')
@Index('uq_exchange_trades_account_trade', ['accountId', 'symbol', 'venueTradeId'], { unique: true })
@Index('idx_exchange_trades_account_time', ['accountId', 'executedAt'])
export class ExchangeTradeRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  exchangeId!: string;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'varchar', length: 64 })
  venueTradeId!: string;

  @Column({ type: 'varchar', length: 64 })
  venueOrderId!: string;

  /** Our order, when Tradeplane placed it. */
  @Column({ type: 'uuid', nullable: true })
  orderId!: string | null;

  @Column({ type: 'varchar', length: 4 })
  side!: 'buy' | 'sell';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  price!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  cost!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  fee!: string;

  @Column({ type: 'varchar', length: 16 })
  feeCurrency!: string;

  @Column({ type: 'timestamptz' })
  executedAt!: Date;

  @Column({ type: 'uuid' })
  syncRunId!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
