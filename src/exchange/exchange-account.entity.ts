import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Credentials of an account on a ccxt exchange. The key, secret and passphrase are sealed with the
 * master key (AES-256-GCM, the row id as additional data) and never leave the server.
 */
@Entity('exchange_accounts')
@Index('uq_exchange_accounts_label', ['label'], { unique: true })
export class ExchangeAccount {
  /** Chosen before the insert: the sealed values are bound to it. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  exchangeId!: string;

  @Column({ type: 'varchar', length: 100 })
  label!: string;

  @Column({ type: 'boolean', default: false })
  sandbox!: boolean;

  @Column({ type: 'varchar', length: 8 })
  marketType!: 'spot' | 'swap';

  @Column({ type: 'text' })
  apiKeySealed!: string;

  @Column({ type: 'text' })
  secretSealed!: string;

  @Column({ type: 'text', nullable: true })
  passphraseSealed!: string | null;

  @Column({ type: 'varchar', length: 4 })
  apiKeyLast4!: string;

  @Column({ type: 'integer' })
  keyVersion!: number;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** When the exchange last answered a call made with this account. */
  @Column({ type: 'timestamptz', nullable: true })
  lastSyncAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
