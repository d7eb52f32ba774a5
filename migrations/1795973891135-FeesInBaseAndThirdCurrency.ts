import { MigrationInterface, QueryRunner } from 'typeorm';

export class FeesInBaseAndThirdCurrency1795973891135 implements MigrationInterface {
  name = 'FeesInBaseAndThirdCurrency1795973891135';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "fills" ADD "fee_quote" numeric(38,18)');
    await queryRunner.query(
      'ALTER TABLE "trades" ADD "entry_fee_base" numeric(38,18) NOT NULL DEFAULT \'0\'',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "trades" DROP COLUMN "entry_fee_base"');
    await queryRunner.query('ALTER TABLE "fills" DROP COLUMN "fee_quote"');
  }
}
