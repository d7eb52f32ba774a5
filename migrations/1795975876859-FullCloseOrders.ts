import { MigrationInterface, QueryRunner } from 'typeorm';

export class FullCloseOrders1795975876859 implements MigrationInterface {
  name = 'FullCloseOrders1795975876859';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "orders" ADD "closes_trade" boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "orders" DROP COLUMN "closes_trade"');
  }
}
