import { MigrationInterface, QueryRunner } from 'typeorm';

export class AlertEvents1796285421875 implements MigrationInterface {
  name = 'AlertEvents1796285421875';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "alert_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "alert_id" uuid NOT NULL, "event" character varying(16) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "by" character varying(200), "text" character varying(1000), CONSTRAINT "PK_alert_events" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_alert_events_alert" ON "alert_events"  ("alert_id", "at") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_alert_events_alert"');
    await queryRunner.query('DROP TABLE "alert_events"');
  }
}
