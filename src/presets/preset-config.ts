import type { Timeframe } from '../market/timeframes';

/** What kind of trading a preset does (seed 002's `strategy_type`). */
export const STRATEGY_TYPES = ['momentum', 'trend', 'mean_reversion', 'retracement'] as const;
export type StrategyType = (typeof STRATEGY_TYPES)[number];

/** Scanner metrics a preset can weigh; `oiDelta` (open interest change) counts only where a market has it. */
export const SCORE_METRICS = [
  'volSurge',
  'oiDelta',
  'atrPct',
  'liquidity',
  'volatility',
  'rangeProximity',
] as const;
export type ScoreMetric = (typeof SCORE_METRICS)[number];

export interface PresetRisk {
  /** Share of equity risked per trade (entry to stop), 0.006 = 0.6 %. */
  riskPerTrade: number;
  maxConcurrentPositions: number;
  /** Losses in R within one UTC day that pause the bot. */
  dailyLossLimitR: number;
  maxConsecutiveLosses: number;
  /** How long a losing streak of maxConsecutiveLosses pauses the bot (the daily limit pauses until the next UTC day). */
  streakPauseMinutes: number;
  /** A position older than this is closed by time_stop (and by the engine when it manages exits). */
  maxHoldMinutes: number;
  /** Once a position is this many R in profit the stop trails at this distance in R; null: no trailing. */
  trailingStopR: number | null;
}

export interface ScannerFilters {
  /** 24 h quote volume. */
  minQuoteVolume24h: number;
  /** ATR(14) of 15m candles as a share of the price. */
  minAtrPct: number;
  maxAtrPct: number;
  /** Volume of the last hour / average hourly volume of the previous 24. */
  minVolumeSurge: number;
}

export interface ScannerConfig {
  /** Symbols to scan; null scans the whole market. */
  universe: string[] | null;
  maxCandidates: number;
  scanIntervalSeconds: number;
  filters: ScannerFilters;
  scoreWeights: Partial<Record<ScoreMetric, number>>;
}

export interface PresetConfig {
  description: string;
  strategyType: StrategyType;
  strategy: { name: string; parameters: Record<string, number> };
  timeframe: Timeframe;
  risk: PresetRisk;
  scannerConfig: ScannerConfig;
}
