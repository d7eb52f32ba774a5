import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RuntimeSettingsDocument, SettingChange } from './settings-document';

/** One version of the runtime settings: the whole document, what changed from the one before, who and when. */
@Entity('settings_versions')
export class SettingsVersion {
  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  document!: RuntimeSettingsDocument;

  @Column({ type: 'jsonb' })
  changes!: SettingChange[];

  /** `user:<name>` or `key:<name>`; `system` for the first version. */
  @Column({ type: 'varchar', length: 200 })
  author!: string;

  /** Why: given with the change, or `rollback to version N`. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  comment!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;
}
