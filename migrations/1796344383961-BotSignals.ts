import { MigrationInterface, QueryRunner } from 'typeorm';

export class BotSignals1796344383961 implements MigrationInterface {
  name = 'BotSignals1796344383961';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "bot_signals" ("id" uuid NOT NULL, "bot_id" uuid NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "action" character varying(16) NOT NULL, "symbol" character varying(32) NOT NULL, "price" double precision, "comment" character varying(500), "external_id" character varying(100), "body_hash" character varying(64) NOT NULL, "outcome" character varying(8) NOT NULL, "status" integer NOT NULL, "detail" text NOT NULL, "refs" jsonb NOT NULL, CONSTRAINT "PK_bot_signals" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_bot_signals_bot_received" ON "bot_signals"  ("bot_id", "received_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_bot_signals_bot_external_id" ON "bot_signals"  ("bot_id", "external_id") WHERE external_id IS NOT NULL',
    );
    await queryRunner.query('ALTER TABLE "bots" ADD "signal_token_hash" character varying(64)');
    await queryRunner.query('ALTER TABLE "bots" ADD "signal_token_created_at" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_bots_signal_token_hash" ON "bots"  ("signal_token_hash") ',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."uq_bots_signal_token_hash"');
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "signal_token_created_at"');
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "signal_token_hash"');
    await queryRunner.query('DROP INDEX "public"."uq_bot_signals_bot_external_id"');
    await queryRunner.query('DROP INDEX "public"."idx_bot_signals_bot_received"');
    await queryRunner.query('DROP TABLE "bot_signals"');
  }
}
