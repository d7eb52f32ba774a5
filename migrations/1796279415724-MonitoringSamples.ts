import { MigrationInterface, QueryRunner } from 'typeorm';

export class MonitoringSamples1796279415724 implements MigrationInterface {
  name = 'MonitoringSamples1796279415724';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "system_samples" ADD "open_positions" integer NOT NULL DEFAULT \'0\'',
    );
    await queryRunner.query(
      'ALTER TABLE "system_samples" ADD "exchange_requests" integer NOT NULL DEFAULT \'0\'',
    );
    await queryRunner.query(
      'ALTER TABLE "system_samples" ADD "exchange_errors" integer NOT NULL DEFAULT \'0\'',
    );
    await queryRunner.query(
      'ALTER TABLE "system_samples" ADD "exchange_latency_ms_sum" double precision NOT NULL DEFAULT \'0\'',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "system_samples" DROP COLUMN "exchange_latency_ms_sum"');
    await queryRunner.query('ALTER TABLE "system_samples" DROP COLUMN "exchange_errors"');
    await queryRunner.query('ALTER TABLE "system_samples" DROP COLUMN "exchange_requests"');
    await queryRunner.query('ALTER TABLE "system_samples" DROP COLUMN "open_positions"');
  }
}
