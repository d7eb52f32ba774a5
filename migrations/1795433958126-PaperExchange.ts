import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaperExchange1795433958126 implements MigrationInterface {
  name = 'PaperExchange1795433958126';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "paper_balances" ("account_id" uuid NOT NULL, "currency" character varying(16) NOT NULL, "free" numeric(38,18) NOT NULL, "used" numeric(38,18) NOT NULL, CONSTRAINT "PK_paper_balances" PRIMARY KEY ("account_id", "currency"))',
    );
    await queryRunner.query(
      'CREATE TABLE "paper_orders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "client_order_id" character varying(64) NOT NULL, "symbol" character varying(32) NOT NULL, "side" character varying(4) NOT NULL, "type" character varying(8) NOT NULL, "status" character varying(12) NOT NULL, "amount" numeric(38,18) NOT NULL, "price" numeric(38,18), "stop_price" numeric(38,18), "filled" numeric(38,18) NOT NULL, "cost" numeric(38,18) NOT NULL, "fee" numeric(38,18) NOT NULL, "fee_currency" character varying(16) NOT NULL, "reserved" numeric(38,18) NOT NULL, "reject_reason" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_paper_orders" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_paper_orders_open" ON "paper_orders"  ("status", "account_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_paper_orders_client_id" ON "paper_orders"  ("account_id", "client_order_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "paper_fills" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "order_id" uuid NOT NULL, "account_id" uuid NOT NULL, "symbol" character varying(32) NOT NULL, "side" character varying(4) NOT NULL, "price" numeric(38,18) NOT NULL, "amount" numeric(38,18) NOT NULL, "cost" numeric(38,18) NOT NULL, "fee" numeric(38,18) NOT NULL, "fee_currency" character varying(16) NOT NULL, "taker" boolean NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_paper_fills" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_paper_fills_order" ON "paper_fills"  ("order_id") ');
    await queryRunner.query(
      'CREATE INDEX "idx_paper_fills_account_time" ON "paper_fills"  ("account_id", "at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "paper_accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_paper_accounts" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_paper_accounts_name" ON "paper_accounts"  ("name") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."uq_paper_accounts_name"');
    await queryRunner.query('DROP TABLE "paper_accounts"');
    await queryRunner.query('DROP INDEX "public"."idx_paper_fills_account_time"');
    await queryRunner.query('DROP INDEX "public"."idx_paper_fills_order"');
    await queryRunner.query('DROP TABLE "paper_fills"');
    await queryRunner.query('DROP INDEX "public"."uq_paper_orders_client_id"');
    await queryRunner.query('DROP INDEX "public"."idx_paper_orders_open"');
    await queryRunner.query('DROP TABLE "paper_orders"');
    await queryRunner.query('DROP TABLE "paper_balances"');
  }
}
