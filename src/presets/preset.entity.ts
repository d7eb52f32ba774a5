import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { PresetConfig } from './preset-config';

/** A named bot configuration: strategy and its parameters, risk limits, scanner settings. */
@Entity('presets')
export class Preset {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  /** Built-ins are seeded by migration: editable, never deleted. */
  @Column({ type: 'boolean', default: false })
  builtin!: boolean;

  @Column({ type: 'jsonb' })
  config!: PresetConfig;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
