import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExchangeAccountLastSync1795437378911 implements MigrationInterface {
  name = 'ExchangeAccountLastSync1795437378911';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "exchange_accounts" ADD "last_sync_at" TIMESTAMP WITH TIME ZONE');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "exchange_accounts" DROP COLUMN "last_sync_at"');
  }
}
