import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** An order on the paper exchange (the venue's record, not the trading core's). */
@Entity('paper_orders')
@Index('uq_paper_orders_client_id', ['accountId', 'clientOrderId'], { unique: true })
@Index('idx_paper_orders_open', ['status', 'accountId'])
export class PaperOrder {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @Column({ type: 'varchar', length: 64 })
  clientOrderId!: string;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'varchar', length: 4 })
  side!: 'buy' | 'sell';

  @Column({ type: 'varchar', length: 8 })
  type!: 'market' | 'limit' | 'stop';

  @Column({ type: 'varchar', length: 12 })
  status!: 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  price!: string | null;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  stopPrice!: string | null;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  filled!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  cost!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  fee!: string;

  @Column({ type: 'varchar', length: 16 })
  feeCurrency!: string;

  /** Funds held for the order while it rests (quote for buys, base for sells). */
  @Column({ type: 'numeric', precision: 38, scale: 18 })
  reserved!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  rejectReason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
