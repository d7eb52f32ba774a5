import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last progress a running job reported (pg-boss's own table has no place for it). */
@Entity('job_progress')
export class JobProgress {
  @PrimaryColumn({ type: 'uuid' })
  jobId!: string;

  /** 0-100. */
  @Column({ type: 'smallint' })
  progress!: number;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
