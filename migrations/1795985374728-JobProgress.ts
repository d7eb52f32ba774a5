import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobProgress1795985374728 implements MigrationInterface {
  name = 'JobProgress1795985374728';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "job_progress" ("job_id" uuid NOT NULL, "progress" smallint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_job_progress" PRIMARY KEY ("job_id"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "job_progress"');
  }
}
