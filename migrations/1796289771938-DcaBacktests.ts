import { MigrationInterface, QueryRunner } from 'typeorm';

export class DcaBacktests1796289771938 implements MigrationInterface {
  name = 'DcaBacktests1796289771938';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "backtests" ADD "dca_metrics" jsonb');
    await queryRunner.query('ALTER TABLE "backtests" ADD "deals" jsonb');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "backtests" DROP COLUMN "deals"');
    await queryRunner.query('ALTER TABLE "backtests" DROP COLUMN "dca_metrics"');
  }
}
