import { MigrationInterface, QueryRunner } from 'typeorm';

export class Alerts1796243289269 implements MigrationInterface {
  name = 'Alerts1796243289269';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "alerts" ("id" uuid NOT NULL, "type" character varying(64) NOT NULL, "severity" character varying(16) NOT NULL, "source" character varying(200) NOT NULL, "message" character varying(1000) NOT NULL, "data" jsonb NOT NULL, "labels" jsonb NOT NULL, "fingerprint" character varying(300) NOT NULL, "status" character varying(16) NOT NULL, "count" integer NOT NULL DEFAULT \'1\', "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acknowledged_by" character varying(200), "acknowledged_at" TIMESTAMP WITH TIME ZONE, "resolved_by" character varying(200), "resolved_at" TIMESTAMP WITH TIME ZONE, "note" character varying(500), CONSTRAINT "PK_alerts" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_alerts_last_seen" ON "alerts"  ("last_seen_at") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_alerts_open_fingerprint" ON "alerts"  ("fingerprint") WHERE status <> \'resolved\'',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."uq_alerts_open_fingerprint"');
    await queryRunner.query('DROP INDEX "public"."ix_alerts_last_seen"');
    await queryRunner.query('DROP TABLE "alerts"');
  }
}
