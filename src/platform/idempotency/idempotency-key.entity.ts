import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A creating request made with an Idempotency-Key, and the response it got (kept 24 h). */
@Entity('idempotency_keys')
@Index('idx_idempotency_keys_expires_at', ['expiresAt'])
export class IdempotencyKey {
  /** "user:<id>" or "apiKey:<id>": keys are scoped to who sent them. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  principal!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** "POST /api/orders". */
  @Column({ type: 'varchar', length: 200 })
  route!: string;

  /** SHA-256 of the route and the canonical JSON body. */
  @Column({ type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'varchar', length: 12 })
  state!: 'in_progress' | 'completed';

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  responseBody!: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
