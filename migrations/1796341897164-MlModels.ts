import { MigrationInterface, QueryRunner } from 'typeorm';

export class MlModels1796341897164 implements MigrationInterface {
  name = 'MlModels1796341897164';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "ml_models" ("id" uuid NOT NULL, "type" character varying(16) NOT NULL, "version" integer NOT NULL, "timeframe" character varying(8) NOT NULL, "symbols" jsonb NOT NULL, "features" jsonb NOT NULL, "label_settings" jsonb NOT NULL, "hyper_parameters" jsonb NOT NULL, "training_from" TIMESTAMP WITH TIME ZONE NOT NULL, "training_to" TIMESTAMP WITH TIME ZONE NOT NULL, "metrics" jsonb NOT NULL, "training_samples" integer NOT NULL, "parameters" jsonb NOT NULL, "status" character varying(12) NOT NULL, "status_reason" text NOT NULL, "trained_by" character varying(200) NOT NULL, "trained_at" TIMESTAMP WITH TIME ZONE NOT NULL, "training_ms" integer NOT NULL, "job_id" uuid, "activated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ml_models" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_ml_models_active" ON "ml_models"  ("type", "timeframe") WHERE status = \'active\'',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_ml_models_type_version" ON "ml_models"  ("type", "version") ',
    );
    await queryRunner.query(
      'CREATE TABLE "ml_predictions" ("id" uuid NOT NULL, "model_id" uuid NOT NULL, "model_type" character varying(16) NOT NULL, "model_version" integer NOT NULL, "symbol" character varying(32) NOT NULL, "timeframe" character varying(8) NOT NULL, "candle_time" TIMESTAMP WITH TIME ZONE NOT NULL, "predicted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "prediction" character varying(8) NOT NULL, "confidence" double precision NOT NULL, "probabilities" jsonb NOT NULL, "features" jsonb NOT NULL, "features_hash" character varying(16) NOT NULL, "entry_price" double precision NOT NULL, "atr" double precision NOT NULL, "barrier" jsonb NOT NULL, "resolves_at" TIMESTAMP WITH TIME ZONE NOT NULL, "realized" character varying(8), "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ml_predictions" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_ml_predictions_unresolved" ON "ml_predictions"  ("resolves_at") WHERE realized IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_ml_predictions_predicted_at" ON "ml_predictions"  ("predicted_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_ml_predictions_model_symbol_candle" ON "ml_predictions"  ("model_id", "symbol", "candle_time") ',
    );
    await queryRunner.query('ALTER TABLE "trades" ADD "ml_confidence" double precision');
    await queryRunner.query('ALTER TABLE "trades" ADD "ml_model" character varying(32)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "ml_model"');
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "ml_confidence"');
    await queryRunner.query('DROP INDEX "public"."uq_ml_predictions_model_symbol_candle"');
    await queryRunner.query('DROP INDEX "public"."idx_ml_predictions_predicted_at"');
    await queryRunner.query('DROP INDEX "public"."idx_ml_predictions_unresolved"');
    await queryRunner.query('DROP TABLE "ml_predictions"');
    await queryRunner.query('DROP INDEX "public"."uq_ml_models_type_version"');
    await queryRunner.query('DROP INDEX "public"."uq_ml_models_active"');
    await queryRunner.query('DROP TABLE "ml_models"');
  }
}
