import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FoldResult } from './ml-training-run';
import type { ClassificationMetrics } from './ml-metrics';
import type { ModelParameters, ModelType } from './ml-inference';
import type { BarrierSettings } from './triple-barrier';
import type { LearnerSettings } from './ml-inference';

export const MODEL_STATUSES = ['candidate', 'active', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** What the walk-forward evaluation found, as stored with the model. */
export interface StoredModelMetrics extends ClassificationMetrics {
  folds: FoldResult[];
  labelShares: Record<string, number>;
  beatsBaseline: boolean;
}

/**
 * A trained model, one version of its type: what it was trained on (symbols, timeframe, window, features,
 * label and learner settings), what its walk-forward test windows measured, its parameters, and its
 * status: `candidate` when trained, `active` while it predicts (one per type and timeframe), `retired`
 * when another took its place.
 */
@Entity('ml_models')
@Index('uq_ml_models_type_version', ['type', 'version'], { unique: true })
@Index('uq_ml_models_active', ['type', 'timeframe'], { unique: true, where: "status = 'active'" })
export class MlModel {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: ModelType;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 8 })
  timeframe!: string;

  @Column({ type: 'jsonb' })
  symbols!: string[];

  @Column({ type: 'jsonb' })
  features!: string[];

  @Column({ type: 'jsonb' })
  labelSettings!: BarrierSettings;

  @Column({ type: 'jsonb' })
  hyperParameters!: LearnerSettings & { folds: number };

  /** The candles' span: the first sample's close to the last label's. */
  @Column({ type: 'timestamptz' })
  trainingFrom!: Date;

  @Column({ type: 'timestamptz' })
  trainingTo!: Date;

  @Column({ type: 'jsonb' })
  metrics!: StoredModelMetrics;

  @Column({ type: 'integer' })
  trainingSamples!: number;

  @Column({ type: 'jsonb' })
  parameters!: ModelParameters;

  @Column({ type: 'varchar', length: 12 })
  status!: ModelStatus;

  /** Why it is (or is not) active: the comparison made when it was trained or activated. */
  @Column({ type: 'text' })
  statusReason!: string;

  @Column({ type: 'varchar', length: 200 })
  trainedBy!: string;

  @Column({ type: 'timestamptz' })
  trainedAt!: Date;

  @Column({ type: 'integer' })
  trainingMs!: number;

  @Column({ type: 'uuid', nullable: true })
  jobId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
