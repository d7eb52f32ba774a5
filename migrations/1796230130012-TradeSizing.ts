import { MigrationInterface, QueryRunner } from 'typeorm';

export class TradeSizing1796230130012 implements MigrationInterface {
  name = 'TradeSizing1796230130012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "trades" ADD "risk_share" numeric(12,10)');
    await queryRunner.query('ALTER TABLE "trades" ADD "sized_by" character varying(8)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "sized_by"');
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "risk_share"');
  }
}
