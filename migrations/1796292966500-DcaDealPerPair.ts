import { MigrationInterface, QueryRunner } from 'typeorm';

export class DcaDealPerPair1796292966500 implements MigrationInterface {
  name = 'DcaDealPerPair1796292966500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_dca_deals_bot_pair_active" ON "dca_deals"  ("bot_id", "symbol") WHERE "bot_id" IS NOT NULL AND "status" IN (\'created\', \'base_order_placed\', \'bought\', \'ttp_activated\')',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."uq_dca_deals_bot_pair_active"');
  }
}
