import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A connection to 3Commas: its API key and secret sealed with the master key (the row id as
 * additional data), never returned.
 */
@Entity('three_commas_accounts')
@Index('uq_three_commas_accounts_label', ['label'], { unique: true })
export class ThreeCommasConnection {
  /** Chosen before the insert: the sealed values are bound to it. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  label!: string;

  @Column({ type: 'text' })
  apiKeySealed!: string;

  @Column({ type: 'text' })
  secretSealed!: string;

  @Column({ type: 'varchar', length: 4 })
  apiKeyLast4!: string;

  @Column({ type: 'integer' })
  keyVersion!: number;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** When 3Commas last answered a call made with this connection. */
  @Column({ type: 'timestamptz', nullable: true })
  lastSyncAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
