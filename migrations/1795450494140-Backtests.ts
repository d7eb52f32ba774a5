import { MigrationInterface, QueryRunner } from 'typeorm';

export class Backtests1795450494140 implements MigrationInterface {
  name = 'Backtests1795450494140';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "backtests" ("id" uuid NOT NULL, "status" character varying(12) NOT NULL, "request" jsonb NOT NULL, "progress" real NOT NULL DEFAULT \'0\', "metrics" jsonb, "equity" jsonb, "trades" jsonb, "candles" integer NOT NULL DEFAULT \'0\', "error" character varying(500), "created_by" character varying(100), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_backtests" PRIMARY KEY ("id"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "backtests"');
  }
}
