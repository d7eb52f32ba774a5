import { MigrationInterface, QueryRunner } from 'typeorm';

export class SettingsVersions1796242663684 implements MigrationInterface {
  name = 'SettingsVersions1796242663684';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "settings_versions" ("version" integer NOT NULL, "document" jsonb NOT NULL, "changes" jsonb NOT NULL, "author" character varying(200) NOT NULL, "comment" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_settings_versions" PRIMARY KEY ("version"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "settings_versions"');
  }
}
