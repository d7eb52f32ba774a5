import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One execution of a paper order: price, amount, fee. */
@Entity('paper_fills')
@Index('idx_paper_fills_account_time', ['accountId', 'at'])
@Index('idx_paper_fills_order', ['orderId'])
export class PaperFill {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  orderId!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

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

  @Column({ type: 'boolean' })
  taker!: boolean;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
