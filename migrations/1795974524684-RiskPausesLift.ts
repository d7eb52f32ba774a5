import { MigrationInterface, QueryRunner } from 'typeorm';

export class RiskPausesLift1795974524684 implements MigrationInterface {
  name = 'RiskPausesLift1795974524684';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "bots" ADD "paused_until" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query('ALTER TABLE "bots" ADD "streak_window_start" TIMESTAMP WITH TIME ZONE');
    // Stored presets gain the losing-streak pause, 240 minutes as the built-in ones have.
    await queryRunner.query(
      `UPDATE "presets" SET "config" = jsonb_set("config", '{risk,streakPauseMinutes}', '240') WHERE NOT ("config"->'risk') ? 'streakPauseMinutes'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "presets" SET "config" = "config" #- '{risk,streakPauseMinutes}'`);
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "streak_window_start"');
    await queryRunner.query('ALTER TABLE "bots" DROP COLUMN "paused_until"');
  }
}
