import { MigrationInterface, QueryRunner } from 'typeorm';

export class BotCapital1796241146819 implements MigrationInterface {
  name = 'BotCapital1796241146819';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "bots" ADD "paper_account" character varying(100)');
    await queryRunner.query('ALTER TABLE "bots" ADD "shared_account" boolean NOT NULL DEFAULT false');
    await queryRunner.query('ALTER TABLE "bots" ADD "capital" numeric(30,10)');
    await queryRunner.query('ALTER TABLE "bots" ADD "capital_percent" numeric(7,4)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "capital_percent"');
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "capital"');
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "shared_account"');
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "paper_account"');
  }
}
