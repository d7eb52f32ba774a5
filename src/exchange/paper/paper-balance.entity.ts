import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Money: numeric, never floating point. `used` is what open orders hold. */
@Entity('paper_balances')
export class PaperBalance {
  @PrimaryColumn({ type: 'uuid' })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  currency!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  free!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  used!: string;
}
