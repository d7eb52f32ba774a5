import { MigrationInterface, QueryRunner } from 'typeorm';

export class TradeHistoryScores1795442206158 implements MigrationInterface {
  name = 'TradeHistoryScores1795442206158';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "trades" ADD "source" character varying(8) NOT NULL DEFAULT \'api\'',
    );
    await queryRunner.query('ALTER TABLE "trades" ADD "entry_harmony" numeric(6,4)');
    await queryRunner.query('ALTER TABLE "trades" ADD "exit_harmony" numeric(6,4)');
    await queryRunner.query('ALTER TABLE "trades" ADD "fibonacci_alignment" numeric(6,4)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "fibonacci_alignment"');
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "exit_harmony"');
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "entry_harmony"');
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "source"');
  }
}
