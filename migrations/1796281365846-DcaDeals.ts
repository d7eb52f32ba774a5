import { MigrationInterface, QueryRunner } from 'typeorm';

export class DcaDeals1796281365846 implements MigrationInterface {
  name = 'DcaDeals1796281365846';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "dca_deals" ("id" uuid NOT NULL, "order_key" character varying(16) NOT NULL, "bot_id" uuid, "symbol" character varying(40) NOT NULL, "venue" character varying(16) NOT NULL, "account_id" character varying(100) NOT NULL, "status" character varying(24) NOT NULL, "settings" jsonb NOT NULL, "trade_id" uuid, "base_price" numeric, "ladder" jsonb NOT NULL, "safety_orders_filled" integer NOT NULL DEFAULT \'0\', "take_profit_price" numeric, "take_profit_orders" integer NOT NULL DEFAULT \'0\', "trailing_high" numeric, "close_reason" character varying(200), "created_by" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_dca_deals" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_dca_deals_bot" ON "dca_deals"  ("bot_id", "created_at") ');
    await queryRunner.query('CREATE INDEX "ix_dca_deals_status" ON "dca_deals"  ("status") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_dca_deals_status"');
    await queryRunner.query('DROP INDEX "public"."ix_dca_deals_bot"');
    await queryRunner.query('DROP TABLE "dca_deals"');
  }
}
