import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { BarrierSettings } from './triple-barrier';

/**
 * What the active model said about a symbol at a candle's close, and once its vertical barrier has
 * passed, what came (the realised triple-barrier label).
 */
@Entity('ml_predictions')
@Index('uq_ml_predictions_model_symbol_candle', ['modelId', 'symbol', 'candleTime'], { unique: true })
@Index('idx_ml_predictions_predicted_at', ['predictedAt'])
@Index('idx_ml_predictions_unresolved', ['resolvesAt'], { where: 'realized IS NULL' })
export class MlPrediction {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  modelId!: string;

  @Column({ type: 'varchar', length: 16 })
  modelType!: string;

  @Column({ type: 'integer' })
  modelVersion!: number;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'varchar', length: 8 })
  timeframe!: string;

  /** The open time of the candle at whose close it predicted. */
  @Column({ type: 'timestamptz' })
  candleTime!: Date;

  @Column({ type: 'timestamptz' })
  predictedAt!: Date;

  @Column({ type: 'varchar', length: 8 })
  prediction!: string;

  @Column({ type: 'double precision' })
  confidence!: number;

  @Column({ type: 'jsonb' })
  probabilities!: Record<string, number>;

  /** The feature values it read, by name, and their hash (SHA-256 of the values, first 16 hex digits). */
  @Column({ type: 'jsonb' })
  features!: Record<string, number>;

  @Column({ type: 'varchar', length: 16 })
  featuresHash!: string;

  /** The close it predicted at, the ATR then and the model's barriers: what resolving it needs. */
  @Column({ type: 'double precision' })
  entryPrice!: number;

  @Column({ type: 'double precision' })
  atr!: number;

  @Column({ type: 'jsonb' })
  barrier!: BarrierSettings;

  /** When the vertical barrier passes: by then the label is known. */
  @Column({ type: 'timestamptz' })
  resolvesAt!: Date;

  @Column({ type: 'varchar', length: 8, nullable: true })
  realized!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;
}
