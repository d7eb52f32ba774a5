import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditActorType = 'user' | 'apiKey' | 'anonymous' | 'system';
export type AuditResult = 'success' | 'failure' | 'denied';

/** One line of the audit trail. The table refuses UPDATE, DELETE and TRUNCATE (see its migration). */
@Entity('audit_log')
@Index('idx_audit_log_at', ['at'])
@Index('idx_audit_log_action_target', ['action', 'targetName', 'at'])
@Index('idx_audit_log_actor', ['actorId', 'at'])
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'varchar', length: 16 })
  actorType!: AuditActorType;

  @Column({ type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  actorName!: string | null;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  targetType!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  targetId!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  targetName!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 16 })
  result!: AuditResult;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;
}
