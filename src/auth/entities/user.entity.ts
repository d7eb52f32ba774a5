import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Role } from '../../platform/access/role';

@Entity('users')
@Index('uq_users_username_key', ['usernameKey'], { unique: true })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** As the user typed it. */
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  /** Lower-cased username: unique, and what login looks up. */
  @Column({ type: 'varchar', length: 64 })
  usernameKey!: string;

  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Part of every access token; raising it makes the user's existing access tokens fail. */
  @Column({ type: 'integer', default: 0 })
  tokenVersion!: number;

  @Column({ type: 'timestamptz', nullable: true })
  passwordChangedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
