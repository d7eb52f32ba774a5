import { MigrationInterface, QueryRunner } from 'typeorm';

export class AlertRulesSilencesOutbox1796278256184 implements MigrationInterface {
  name = 'AlertRulesSilencesOutbox1796278256184';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "alert_rules" ("type" character varying(64) NOT NULL, "enabled" boolean NOT NULL, "threshold" double precision NOT NULL, "for_seconds" integer NOT NULL, "severity" character varying(16) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by" character varying(200) NOT NULL, CONSTRAINT "PK_alert_rules" PRIMARY KEY ("type"))',
    );
    await queryRunner.query(
      'CREATE TABLE "alert_silences" ("id" uuid NOT NULL, "matchers" jsonb NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "comment" character varying(500) NOT NULL, "created_by" character varying(200) NOT NULL, "expired_at" TIMESTAMP WITH TIME ZONE, "expired_by" character varying(200), CONSTRAINT "PK_alert_silences" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_alert_silences_ends" ON "alert_silences"  ("ends_at") ');
    await queryRunner.query(
      'CREATE TABLE "outbox_events" ("id" uuid NOT NULL, "type" character varying(64) NOT NULL, "data" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_outbox_events" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_outbox_events_pending" ON "outbox_events"  ("occurred_at") WHERE dispatched_at IS NULL',
    );
    await queryRunner.query('ALTER TABLE "alerts" ADD "silenced_by" uuid');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "alerts" DROP COLUMN "silenced_by"');
    await queryRunner.query('DROP INDEX "public"."ix_outbox_events_pending"');
    await queryRunner.query('DROP TABLE "outbox_events"');
    await queryRunner.query('DROP INDEX "public"."ix_alert_silences_ends"');
    await queryRunner.query('DROP TABLE "alert_silences"');
    await queryRunner.query('DROP TABLE "alert_rules"');
  }
}
