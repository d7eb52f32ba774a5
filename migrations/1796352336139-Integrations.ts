import { MigrationInterface, QueryRunner } from 'typeorm';

export class Integrations1796352336139 implements MigrationInterface {
  name = 'Integrations1796352336139';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "three_commas_accounts" ("id" uuid NOT NULL, "label" character varying(100) NOT NULL, "api_key_sealed" text NOT NULL, "secret_sealed" text NOT NULL, "api_key_last4" character varying(4) NOT NULL, "key_version" integer NOT NULL, "created_by" uuid, "last_sync_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_three_commas_accounts" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_three_commas_accounts_label" ON "three_commas_accounts"  ("label") ',
    );
    await queryRunner.query(
      'CREATE TABLE "exchange_account_snapshots" ("account_id" uuid NOT NULL, "balances" jsonb NOT NULL, "open_orders" jsonb NOT NULL, "sync_run_id" uuid NOT NULL, "taken_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_exchange_account_snapshots" PRIMARY KEY ("account_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "sync_runs" ("id" uuid NOT NULL, "source" character varying(8) NOT NULL, "account_id" uuid NOT NULL, "trigger" character varying(8) NOT NULL, "state" character varying(12) NOT NULL, "job_id" uuid, "since" TIMESTAMP WITH TIME ZONE, "force" boolean NOT NULL DEFAULT false, "progress" integer NOT NULL DEFAULT \'0\', "fetched" integer NOT NULL DEFAULT \'0\', "imported" integer NOT NULL DEFAULT \'0\', "skipped" integer NOT NULL DEFAULT \'0\', "matched" integer NOT NULL DEFAULT \'0\', "details" jsonb NOT NULL DEFAULT \'{}\', "errors" jsonb NOT NULL DEFAULT \'[]\', "requested_by" character varying(100), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_sync_runs" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_sync_runs_account_created" ON "sync_runs"  ("source", "account_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "sync_cursors" ("account_id" uuid NOT NULL, "stream" character varying(64) NOT NULL, "position" character varying(64) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_sync_cursors" PRIMARY KEY ("account_id", "stream"))',
    );
    await queryRunner.query(
      'CREATE TABLE "exchange_trades" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "exchange_id" character varying(32) NOT NULL, "symbol" character varying(32) NOT NULL, "venue_trade_id" character varying(64) NOT NULL, "venue_order_id" character varying(64) NOT NULL, "order_id" uuid, "side" character varying(4) NOT NULL, "price" numeric(38,18) NOT NULL, "amount" numeric(38,18) NOT NULL, "cost" numeric(38,18) NOT NULL, "fee" numeric(38,18) NOT NULL, "fee_currency" character varying(16) NOT NULL, "executed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sync_run_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_exchange_trades" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_exchange_trades_account_time" ON "exchange_trades"  ("account_id", "executed_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_exchange_trades_account_trade" ON "exchange_trades"  ("account_id", "symbol", "venue_trade_id") ',
    );
    await queryRunner.query('ALTER TABLE "trades" ADD "external_id" character varying(100)');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_trades_external_id" ON "trades"  ("external_id") WHERE external_id IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."uq_trades_external_id"');
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "external_id"');
    await queryRunner.query('DROP INDEX "public"."uq_exchange_trades_account_trade"');
    await queryRunner.query('DROP INDEX "public"."idx_exchange_trades_account_time"');
    await queryRunner.query('DROP TABLE "exchange_trades"');
    await queryRunner.query('DROP TABLE "sync_cursors"');
    await queryRunner.query('DROP INDEX "public"."idx_sync_runs_account_created"');
    await queryRunner.query('DROP TABLE "sync_runs"');
    await queryRunner.query('DROP TABLE "exchange_account_snapshots"');
    await queryRunner.query('DROP INDEX "public"."uq_three_commas_accounts_label"');
    await queryRunner.query('DROP TABLE "three_commas_accounts"');
  }
}
