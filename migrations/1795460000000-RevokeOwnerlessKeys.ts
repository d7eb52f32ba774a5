import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A key now acts for the user who created it. Keys whose creator was deleted (the column was set to
 * null) or that were made by another key before that was recorded have nobody behind them: revoke them.
 */
export class RevokeOwnerlessKeys1795460000000 implements MigrationInterface {
  name = 'RevokeOwnerlessKeys1795460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'UPDATE "api_keys" SET "enabled" = false, "revoked_at" = now() WHERE "created_by" IS NULL AND "revoked_at" IS NULL',
    );
  }

  async down(): Promise<void> {
    // Revoked keys stay revoked: their secrets may have been discarded.
  }
}
