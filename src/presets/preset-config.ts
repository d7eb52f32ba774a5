import type { DealSettings } from '../dca/dca-deal.entity';
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

/** `strategy`: entries on the strategy's signals with the risk rules; `dca`: DCA deals (3Commas' bots). */
export const PRESET_KINDS = ['strategy', 'dca'] as const;
export type PresetKind = (typeof PRESET_KINDS)[number];

/**
 * When a DCA bot starts a deal on a pair with none: at once (`asap`), on the buy signal of the preset's
 * strategy on its timeframe (`signal`), or only when asked (`manual`, POST /api/dca/deals with the bot).
 */
export const DCA_START_CONDITIONS = ['asap', 'signal', 'manual'] as const;
export type DcaStartCondition = (typeof DCA_START_CONDITIONS)[number];

/** A DCA preset's bot settings: each deal's settings and how the bot opens deals on its pairs. */
export interface DcaBotConfig {
  deal: DealSettings;
  /** Deals open at once across the bot's pairs (one per pair). */
  maxActiveDeals: number;
  /** After a deal on a pair closes, how long before the next one there may start. */
  cooldownSeconds: number;
  startCondition: DcaStartCondition;
}

export interface PresetConfig {
  kind: PresetKind;
  description: string;
  strategyType: StrategyType;
  strategy: { name: string; parameters: Record<string, number> };
  timeframe: Timeframe;
  risk: PresetRisk;
  scannerConfig: ScannerConfig;
  /** A `dca` preset's deal and bot settings (its pairs: scannerConfig.universe or the bot's symbols). */
  dca?: DcaBotConfig | null;
  /** A strategy preset's use of the active ML model of its timeframe (none: the strategy alone). */
  ml?: PresetMlConfig | null;
}

export const ML_MODES = ['filter', 'signal'] as const;
export type MlMode = (typeof ML_MODES)[number];

/**
 * `filter`: the strategy's buys pass only when the model predicts `up` with at least minConfidence;
 * `signal`: the model's own `up` predictions enter (stop and target at its triple barrier), the
 * strategy's sells still exit.
 */
export interface PresetMlConfig {
  modelType: 'logistic' | 'mlp';
  minConfidence: number;
  mode: MlMode;
}

/** Whether a bot of this preset reads its strategy's signals (a DCA bot only to start deals on them). */
export function readsStrategySignals(config: PresetConfig): boolean {
  return config.kind !== 'dca' || config.dca?.startCondition === 'signal';
}
