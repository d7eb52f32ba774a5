import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Where the last sync of one stream of an account stopped (a symbol's trades: the last trade id;
 * 3Commas' deals: the creation time to ask from). Written with each imported page, so a sync that
 * stops half way carries on from its last page.
 */
@Entity('sync_cursors')
export class SyncCursor {
  @PrimaryColumn({ type: 'uuid' })
  accountId!: string;

  /** `trades:BTC/USDT` or `deals`. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  stream!: string;

  @Column({ type: 'varchar', length: 64 })
  position!: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
