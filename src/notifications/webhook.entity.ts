import { Column, Entity, PrimaryColumn } from 'typeorm';

export const WEBHOOK_FORMATS = ['json', 'slack', 'discord'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** A receiver outside the application told of the events it subscribed to, signed with its own secret. */
@Entity('webhooks')
export class Webhook {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 2000 })
  url!: string;

  /** Event types it receives (`alert.raised`, `order.filled`, ...). */
  @Column({ type: 'jsonb' })
  events!: string[];

  @Column({ type: 'varchar', length: 16 })
  format!: WebhookFormat;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** The signing secret, sealed with the master key and bound to this row (shown once, at creation). */
  @Column({ type: 'text' })
  secretSealed!: string;

  @Column({ type: 'varchar', length: 200 })
  createdBy!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
