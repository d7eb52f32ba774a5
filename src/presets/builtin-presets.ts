import type { PresetConfig } from './preset-config';

/**
 * The presets every installation starts with (the migration that creates the table inserts these
 * same values). `breakout_v1` is seed 002's: momentum breakouts in liquid markets, 0.6 % risk per
 * trade, three positions, volume surge weighed 0.35 and open-interest change 0.2.
 *
 * `dca_conservative_v1` is a DCA bot in the way 3Commas users set a cautious one up: a deal at once on
 * BTC/USDT and ETH/USDT each, base order 10 USDT, five safety orders from 20 USDT growing ×1.5, the
 * first 1.5 % below the base fill and each step ×1.2 wider (the last 11.2 % below), two resting at a
 * time, all sold at 1.5 % over the average entry; no stop loss (a DCA bot waits out the dip: the
 * capital is the risk, 273.75 USDT a deal when filled down), 10 minutes between deals on a pair. Its
 * strategy and risk sections only count if its start condition is changed to `signal`.
 */
export const BUILTIN_PRESETS: Readonly<Record<string, PresetConfig>> = {
  breakout_v1: {
    kind: 'strategy',
    description: 'Liquid markets momentum breakout strategy',
    strategyType: 'momentum',
    strategy: {
      name: 'breakout',
      parameters: { lookback: 20, volumeSurge: 1.5, atrPeriod: 14, atrStop: 2, rewardRisk: 2 },
    },
    timeframe: '5m',
    risk: {
      riskPerTrade: 0.006,
      maxConcurrentPositions: 3,
      dailyLossLimitR: 3,
      maxConsecutiveLosses: 4,
      streakPauseMinutes: 240,
      maxHoldMinutes: 240,
      trailingStopR: 1,
    },
    scannerConfig: {
      universe: null,
      maxCandidates: 10,
      scanIntervalSeconds: 60,
      filters: { minQuoteVolume24h: 1_000_000, minAtrPct: 0.0005, maxAtrPct: 0.05, minVolumeSurge: 0 },
      scoreWeights: { volSurge: 0.35, oiDelta: 0.2 },
    },
  },
  ema_cross_v1: {
    kind: 'strategy',
    description: 'Trend following on fast/slow EMA crosses',
    strategyType: 'trend',
    strategy: {
      name: 'ema_cross',
      parameters: { fast: 12, slow: 26, atrPeriod: 14, atrStop: 2, rewardRisk: 2 },
    },
    timeframe: '15m',
    risk: {
      riskPerTrade: 0.005,
      maxConcurrentPositions: 3,
      dailyLossLimitR: 3,
      maxConsecutiveLosses: 4,
      streakPauseMinutes: 240,
      maxHoldMinutes: 720,
      trailingStopR: 1.5,
    },
    scannerConfig: {
      universe: null,
      maxCandidates: 10,
      scanIntervalSeconds: 120,
      filters: { minQuoteVolume24h: 1_000_000, minAtrPct: 0.001, maxAtrPct: 0.05, minVolumeSurge: 0 },
      scoreWeights: { liquidity: 0.4, atrPct: 0.3, volatility: 0.3 },
    },
  },
  rsi_mean_reversion_v1: {
    kind: 'strategy',
    description: 'Buys RSI recoveries from oversold in ranging markets',
    strategyType: 'mean_reversion',
    strategy: {
      name: 'rsi_mean_reversion',
      parameters: { period: 14, oversold: 30, overbought: 70, atrStop: 1.5, rewardRisk: 1.5 },
    },
    timeframe: '15m',
    risk: {
      riskPerTrade: 0.004,
      maxConcurrentPositions: 4,
      dailyLossLimitR: 3,
      maxConsecutiveLosses: 5,
      streakPauseMinutes: 240,
      maxHoldMinutes: 480,
      trailingStopR: null,
    },
    scannerConfig: {
      universe: null,
      maxCandidates: 10,
      scanIntervalSeconds: 120,
      filters: { minQuoteVolume24h: 1_000_000, minAtrPct: 0.0005, maxAtrPct: 0.03, minVolumeSurge: 0 },
      scoreWeights: { liquidity: 0.5, volatility: 0.2, atrPct: 0.3 },
    },
  },
  fibonacci_retracement_v1: {
    kind: 'strategy',
    description: 'Buys the 38.2/50/61.8 % retracement of the last up-swing, targets its 161.8 % extension',
    strategyType: 'retracement',
    strategy: { name: 'fibonacci_retracement', parameters: { lookback: 50, tolerance: 0.02 } },
    timeframe: '1h',
    risk: {
      riskPerTrade: 0.005,
      maxConcurrentPositions: 3,
      dailyLossLimitR: 3,
      maxConsecutiveLosses: 4,
      streakPauseMinutes: 240,
      maxHoldMinutes: 2880,
      trailingStopR: null,
    },
    scannerConfig: {
      universe: null,
      maxCandidates: 10,
      scanIntervalSeconds: 300,
      filters: { minQuoteVolume24h: 1_000_000, minAtrPct: 0.001, maxAtrPct: 0.06, minVolumeSurge: 0 },
      scoreWeights: { liquidity: 0.4, rangeProximity: 0.3, volatility: 0.3 },
    },
  },
  dca_conservative_v1: {
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
      maxHoldMinutes: 525_600,
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
  },
};
