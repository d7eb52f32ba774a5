import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExchangeAccounts1795433459444 implements MigrationInterface {
  name = 'ExchangeAccounts1795433459444';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "exchange_accounts" ("id" uuid NOT NULL, "exchange_id" character varying(32) NOT NULL, "label" character varying(100) NOT NULL, "sandbox" boolean NOT NULL DEFAULT false, "market_type" character varying(8) NOT NULL, "api_key_sealed" text NOT NULL, "secret_sealed" text NOT NULL, "passphrase_sealed" text, "api_key_last4" character varying(4) NOT NULL, "key_version" integer NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_exchange_accounts" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_exchange_accounts_label" ON "exchange_accounts"  ("label") ',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."uq_exchange_accounts_label"');
    await queryRunner.query('DROP TABLE "exchange_accounts"');
  }
}
