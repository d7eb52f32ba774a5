import { MigrationInterface, QueryRunner } from 'typeorm';

export class Candles1795432335554 implements MigrationInterface {
  name = 'Candles1795432335554';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "candles" ("exchange" character varying(32) NOT NULL, "symbol" character varying(32) NOT NULL, "timeframe" character varying(4) NOT NULL, "open_time" TIMESTAMP WITH TIME ZONE NOT NULL, "open" double precision NOT NULL, "high" double precision NOT NULL, "low" double precision NOT NULL, "close" double precision NOT NULL, "volume" double precision NOT NULL, CONSTRAINT "PK_candles" PRIMARY KEY ("exchange", "symbol", "timeframe", "open_time"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "candles"');
  }
}
