import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1796278641659 implements MigrationInterface {
  name = 'Webhooks1796278641659';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "webhooks" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "url" character varying(2000) NOT NULL, "events" jsonb NOT NULL, "format" character varying(16) NOT NULL, "enabled" boolean NOT NULL, "secret_sealed" text NOT NULL, "created_by" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_webhooks" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL, "webhook_id" uuid NOT NULL, "event_id" uuid NOT NULL, "event_type" character varying(64) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "data" jsonb NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, "last_response_code" integer, "last_error" character varying(500), "last_attempt_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "redelivery_of" uuid, CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_webhook_deliveries_event" ON "webhook_deliveries"  ("webhook_id", "event_id") WHERE redelivery_of IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_deliveries_webhook" ON "webhook_deliveries"  ("webhook_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries"  ("next_attempt_at") WHERE status = \'pending\'',
    );
    await queryRunner.query(
      'ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2"',
    );
    await queryRunner.query('DROP INDEX "public"."ix_webhook_deliveries_due"');
    await queryRunner.query('DROP INDEX "public"."ix_webhook_deliveries_webhook"');
    await queryRunner.query('DROP INDEX "public"."uq_webhook_deliveries_event"');
    await queryRunner.query('DROP TABLE "webhook_deliveries"');
    await queryRunner.query('DROP TABLE "webhooks"');
  }
}
