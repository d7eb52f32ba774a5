import { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1795430271341 implements MigrationInterface {
  name = 'Identity1795430271341';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "username_key" character varying(64) NOT NULL, "password_hash" text NOT NULL, "role" character varying(16) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "token_version" integer NOT NULL DEFAULT \'0\', "password_changed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_users" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_users_username_key" ON "users"  ("username_key") ');
    await queryRunner.query(
      'CREATE TABLE "auth_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(32), "ip" character varying(64), "user_agent" character varying(256), CONSTRAINT "PK_auth_sessions" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_auth_sessions_user" ON "auth_sessions"  ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_type" character varying(16) NOT NULL, "actor_id" character varying(64), "actor_name" character varying(100), "action" character varying(64) NOT NULL, "target_type" character varying(32), "target_id" character varying(64), "target_name" character varying(100), "ip" character varying(64), "result" character varying(16) NOT NULL, "details" jsonb, "request_id" character varying(128), CONSTRAINT "PK_audit_log" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_audit_log_actor" ON "audit_log"  ("actor_id", "at") ');
    await queryRunner.query(
      'CREATE INDEX "idx_audit_log_action_target" ON "audit_log"  ("action", "target_name", "at") ',
    );
    await queryRunner.query('CREATE INDEX "idx_audit_log_at" ON "audit_log"  ("at") ');
    await queryRunner.query(
      'CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "session_id" uuid NOT NULL, "token_hash" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_refresh_tokens" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_refresh_tokens_session" ON "refresh_tokens"  ("session_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens"  ("token_hash") ',
    );
    await queryRunner.query(
      'CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "secret_hash" character varying(64) NOT NULL, "last4" character varying(4) NOT NULL, "permissions" character varying(16) array NOT NULL, "rate_limit" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "enabled" boolean NOT NULL DEFAULT true, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid, "revoked_at" TIMESTAMP WITH TIME ZONE, "rotated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_api_keys" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys"  ("prefix") ');
    await queryRunner.query(
      'ALTER TABLE "auth_sessions" ADD CONSTRAINT "FK_50ccaa6440288a06f0ba693ccc6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4" FOREIGN KEY ("session_id") REFERENCES "auth_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "api_keys" ADD CONSTRAINT "FK_983d7eb19ca94bb8e343293068e" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    // The audit trail is append-only at the database level, whatever the application does.
    await queryRunner.query(
      "CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    );
    await queryRunner.query(
      'CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()',
    );
    await queryRunner.query(
      'CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER "audit_log_no_truncate" ON "audit_log"');
    await queryRunner.query('DROP TRIGGER "audit_log_no_update_delete" ON "audit_log"');
    await queryRunner.query('DROP FUNCTION audit_log_refuse_change()');
    await queryRunner.query('ALTER TABLE "api_keys" DROP CONSTRAINT "FK_983d7eb19ca94bb8e343293068e"');
    await queryRunner.query('ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4"');
    await queryRunner.query('ALTER TABLE "auth_sessions" DROP CONSTRAINT "FK_50ccaa6440288a06f0ba693ccc6"');
    await queryRunner.query('DROP INDEX "public"."uq_api_keys_prefix"');
    await queryRunner.query('DROP TABLE "api_keys"');
    await queryRunner.query('DROP INDEX "public"."uq_refresh_tokens_hash"');
    await queryRunner.query('DROP INDEX "public"."idx_refresh_tokens_session"');
    await queryRunner.query('DROP TABLE "refresh_tokens"');
    await queryRunner.query('DROP INDEX "public"."idx_audit_log_at"');
    await queryRunner.query('DROP INDEX "public"."idx_audit_log_action_target"');
    await queryRunner.query('DROP INDEX "public"."idx_audit_log_actor"');
    await queryRunner.query('DROP TABLE "audit_log"');
    await queryRunner.query('DROP INDEX "public"."idx_auth_sessions_user"');
    await queryRunner.query('DROP TABLE "auth_sessions"');
    await queryRunner.query('DROP INDEX "public"."uq_users_username_key"');
    await queryRunner.query('DROP TABLE "users"');
  }
}
