import { MigrationInterface, QueryRunner } from 'typeorm';

/** dca_conservative_v1 as first shipped (src/presets/builtin-presets.ts holds the current one). */
const DCA_CONSERVATIVE_V1 = {
  kind: 'dca',
  description: 'DCA deals with five martingale safety orders and a 1.5 % take profit on BTC and ETH',
  strategyType: 'mean_reversion',
  strategy: {
    name: 'rsi_mean_reversion',
    parameters: { period: 14, oversold: 30, overbought: 70, atrStop: 1.5, rewardRisk: 1.5 },
  },
  timeframe: '15m',
  risk: {
    riskPerTrade: 0.004,
    maxConcurrentPositions: 2,
    dailyLossLimitR: 3,
    maxConsecutiveLosses: 5,
    streakPauseMinutes: 240,
    maxHoldMinutes: 525600,
    trailingStopR: null,
  },
  scannerConfig: {
    universe: ['BTC/USDT', 'ETH/USDT'],
    maxCandidates: 10,
    scanIntervalSeconds: 300,
    filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
    scoreWeights: { liquidity: 1 },
  },
  dca: {
    deal: {
      baseOrderVolume: 10,
      safetyOrderVolume: 20,
      volumeType: 'quote',
      maxSafetyOrders: 5,
      activeSafetyOrders: 2,
      priceDeviation: 1.5,
      volumeScale: 1.5,
      stepScale: 1.2,
      takeProfit: 1.5,
      takeProfitType: 'total',
      takeProfitSteps: null,
      stopLossToBreakeven: false,
      startOrderType: 'market',
      stopLoss: null,
      trailingDeviation: null,
      dealTimeoutMinutes: null,
    },
    maxActiveDeals: 2,
    cooldownSeconds: 600,
    startCondition: 'asap',
  },
};

/** Presets gain a kind (the stored ones trade their strategy); the built-in DCA preset is added. */
export class DcaPresets1796288721125 implements MigrationInterface {
  name = 'DcaPresets1796288721125';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "presets" SET "config" = jsonb_build_object('kind', 'strategy') || "config" WHERE NOT "config" ? 'kind'`,
    );
    // A preset of that name made by a user stays as it is.
    await queryRunner.query(
      'INSERT INTO "presets" ("name", "builtin", "config") VALUES ($1, true, $2) ON CONFLICT ("name") DO NOTHING',
      ['dca_conservative_v1', JSON.stringify(DCA_CONSERVATIVE_V1)],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "presets" WHERE "name" = 'dca_conservative_v1' AND "builtin"`);
    await queryRunner.query(`UPDATE "presets" SET "config" = "config" - 'kind'`);
  }
}
