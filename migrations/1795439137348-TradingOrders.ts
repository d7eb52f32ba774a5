import { MigrationInterface, QueryRunner } from 'typeorm';

export class TradingOrders1795439137348 implements MigrationInterface {
  name = 'TradingOrders1795439137348';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "fills" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "order_id" uuid NOT NULL, "exchange_trade_id" character varying(64) NOT NULL, "symbol" character varying(32) NOT NULL, "side" character varying(4) NOT NULL, "price" numeric(38,18) NOT NULL, "amount" numeric(38,18) NOT NULL, "cost" numeric(38,18) NOT NULL, "fee" numeric(38,18) NOT NULL, "fee_currency" character varying(16) NOT NULL, "taker_or_maker" character varying(5) NOT NULL, "executed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fills" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_fills_order_trade" ON "fills"  ("order_id", "exchange_trade_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "orders" ("id" uuid NOT NULL, "client_order_id" character varying(36) NOT NULL, "venue" character varying(8) NOT NULL, "account_id" character varying(64) NOT NULL, "exchange_id" character varying(32) NOT NULL, "symbol" character varying(32) NOT NULL, "side" character varying(4) NOT NULL, "type" character varying(8) NOT NULL, "amount" numeric(38,18) NOT NULL, "price" numeric(38,18), "stop_price" numeric(38,18), "status" character varying(16) NOT NULL, "status_reason" character varying(300), "exchange_order_id" character varying(64), "filled" numeric(38,18) NOT NULL DEFAULT \'0\', "average_price" numeric(38,18), "cost" numeric(38,18) NOT NULL DEFAULT \'0\', "fee" numeric(38,18) NOT NULL DEFAULT \'0\', "fee_currency" character varying(16), "intent" character varying(16), "trade_id" uuid, "bot_id" uuid, "created_by" character varying(100), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "submitted_at" TIMESTAMP WITH TIME ZONE, "filled_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_orders" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_orders_trade" ON "orders"  ("trade_id") ');
    await queryRunner.query('CREATE INDEX "idx_orders_created_at" ON "orders"  ("created_at") ');
    await queryRunner.query('CREATE INDEX "idx_orders_status" ON "orders"  ("status") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_orders_client_order_id" ON "orders"  ("client_order_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "idempotency_keys" ("principal" character varying(100) NOT NULL, "key" character varying(255) NOT NULL, "route" character varying(200) NOT NULL, "request_hash" character varying(64) NOT NULL, "state" character varying(12) NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("principal", "key"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_idempotency_keys_expires_at" ON "idempotency_keys"  ("expires_at") ',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."idx_idempotency_keys_expires_at"');
    await queryRunner.query('DROP TABLE "idempotency_keys"');
    await queryRunner.query('DROP INDEX "public"."uq_orders_client_order_id"');
    await queryRunner.query('DROP INDEX "public"."idx_orders_status"');
    await queryRunner.query('DROP INDEX "public"."idx_orders_created_at"');
    await queryRunner.query('DROP INDEX "public"."idx_orders_trade"');
    await queryRunner.query('DROP TABLE "orders"');
    await queryRunner.query('DROP INDEX "public"."uq_fills_order_trade"');
    await queryRunner.query('DROP TABLE "fills"');
  }
}
