import { MigrationInterface, QueryRunner } from 'typeorm';

export class Bots1795448998771 implements MigrationInterface {
  name = 'Bots1795448998771';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "bots" ("id" uuid NOT NULL, "name" character varying(64) NOT NULL, "preset" character varying(64) NOT NULL, "mode" character varying(8) NOT NULL, "account_id" character varying(64), "symbols" jsonb, "running" boolean NOT NULL DEFAULT false, "state" character varying(16) NOT NULL DEFAULT \'IDLE\', "paused" boolean NOT NULL DEFAULT false, "pause_reason" character varying(200), "stop_entries" boolean NOT NULL DEFAULT false, "kill_switch" boolean NOT NULL DEFAULT false, "last_error" character varying(500), "processed_through" TIMESTAMP WITH TIME ZONE, "risk_window_start" TIMESTAMP WITH TIME ZONE, "signal_count" integer NOT NULL DEFAULT \'0\', "started_at" TIMESTAMP WITH TIME ZONE, "stopped_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_ee9b63333bc7bab441b91449dc7" UNIQUE ("name"), CONSTRAINT "PK_bots" PRIMARY KEY ("id"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "bots"');
  }
}
