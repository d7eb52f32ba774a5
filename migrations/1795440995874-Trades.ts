import { MigrationInterface, QueryRunner } from 'typeorm';

export class Trades1795440995874 implements MigrationInterface {
  name = 'Trades1795440995874';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "trades" ("id" uuid NOT NULL, "symbol" character varying(32) NOT NULL, "side" character varying(5) NOT NULL, "status" character varying(12) NOT NULL, "venue" character varying(8) NOT NULL, "account_id" character varying(64) NOT NULL, "exchange_id" character varying(32) NOT NULL, "mode" character varying(8) NOT NULL, "requested_amount" numeric(38,18) NOT NULL, "entry_amount" numeric(38,18) NOT NULL DEFAULT \'0\', "entry_cost" numeric(38,18) NOT NULL DEFAULT \'0\', "exit_amount" numeric(38,18) NOT NULL DEFAULT \'0\', "exit_cost" numeric(38,18) NOT NULL DEFAULT \'0\', "fees" numeric(38,18) NOT NULL DEFAULT \'0\', "realized_pnl" numeric(38,18) NOT NULL DEFAULT \'0\', "stop_loss" numeric(38,18), "take_profit" numeric(38,18), "initial_risk" numeric(38,18), "dca_enabled" boolean NOT NULL DEFAULT false, "max_dca_attempts" integer NOT NULL DEFAULT \'0\', "dca_attempts" integer NOT NULL DEFAULT \'0\', "close_reason" character varying(32), "bot_id" uuid, "preset" character varying(64), "created_by" character varying(100), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "opened_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_trades" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_trades_created_at" ON "trades"  ("created_at") ');
    await queryRunner.query('CREATE INDEX "idx_trades_status" ON "trades"  ("status") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."idx_trades_status"');
    await queryRunner.query('DROP INDEX "public"."idx_trades_created_at"');
    await queryRunner.query('DROP TABLE "trades"');
  }
}
