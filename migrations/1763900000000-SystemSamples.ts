import { MigrationInterface, QueryRunner } from 'typeorm';

export class SystemSamples1763900000000 implements MigrationInterface {
  name = 'SystemSamples1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "system_samples" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "sampled_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "cpu_percent" double precision NOT NULL,
        "memory_percent" double precision NOT NULL,
        "rss_bytes" bigint NOT NULL,
        "event_loop_lag_ms" double precision NOT NULL,
        "disk_used_percent" double precision,
        "load_average" double precision NOT NULL,
        CONSTRAINT "PK_system_samples" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_system_samples_sampled_at" ON "system_samples" ("sampled_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_system_samples_sampled_at"`);
    await queryRunner.query(`DROP TABLE "system_samples"`);
  }
}
