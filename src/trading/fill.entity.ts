import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OrderSide } from '../exchange/exchange-port';

/** One execution of an order, as the exchange reported it (unique per order and exchange trade id). */
@Entity('fills')
@Index('uq_fills_order_trade', ['orderId', 'exchangeTradeId'], { unique: true })
export class Fill {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  orderId!: string;

  @Column({ type: 'varchar', length: 64 })
  exchangeTradeId!: string;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'varchar', length: 4 })
  side!: OrderSide;

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

  /**
   * The fee in the pair's quote currency: a fee in a third currency (BNB) is valued through that
   * currency's own price when the fill is recorded; null when it could not be valued then.
   */
  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  feeQuote!: string | null;

  @Column({ type: 'varchar', length: 5 })
  takerOrMaker!: 'taker' | 'maker';

  @Column({ type: 'timestamptz' })
  executedAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
