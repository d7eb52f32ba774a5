import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An exchange account's balances and open orders as its last sync found them. */
@Entity('exchange_account_snapshots')
export class ExchangeAccountSnapshot {
  @PrimaryColumn({ type: 'uuid' })
  accountId!: string;

  @Column({ type: 'jsonb' })
  balances!: Array<{ currency: string; free: string; used: string; total: string }>;

  @Column({ type: 'jsonb' })
  openOrders!: Array<{
    id: string;
    clientOrderId: string;
    symbol: string;
    side: string;
    type: string;
    amount: string;
    filled: string;
    price: string | null;
    /** Our order, when Tradeplane placed it. */
    orderId: string | null;
    timestamp: number;
  }>;

  @Column({ type: 'uuid' })
  syncRunId!: string;

  @Column({ type: 'timestamptz' })
  takenAt!: Date;
}
