import { MigrationInterface, QueryRunner } from 'typeorm';

export class EquityPoints1796291192996 implements MigrationInterface {
  name = 'EquityPoints1796291192996';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "equity_points" ("scope" character varying(8) NOT NULL, "scope_id" character varying(100) NOT NULL, "resolution" character varying(8) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "measured_at" TIMESTAMP WITH TIME ZONE NOT NULL, "currency" character varying(16) NOT NULL, "value" double precision NOT NULL, "realized_pnl" double precision NOT NULL, "unrealized_pnl" double precision NOT NULL, "cumulative_r" double precision NOT NULL, CONSTRAINT "PK_equity_points" PRIMARY KEY ("scope", "scope_id", "resolution", "at"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "equity_points"');
  }
}
