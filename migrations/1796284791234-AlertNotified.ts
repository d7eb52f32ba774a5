import { MigrationInterface, QueryRunner } from 'typeorm';

export class AlertNotified1796284791234 implements MigrationInterface {
  name = 'AlertNotified1796284791234';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "alerts" ADD "notified" boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "alerts" DROP COLUMN "notified"');
  }
}
