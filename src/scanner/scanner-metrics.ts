import type { Candle } from '../market/market-types';
import { Atr } from '../market/indicators/streaming';
import type { PresetConfig, ScoreMetric } from '../presets/preset-config';

/** What the scanner measures of one symbol (seed 002's metrics, camelCase). */
export interface SymbolMetrics {
  price: number;
  /** Volume of the last closed hour / average hourly volume of the 24 before it. */
  volSurge1h: number;
  /** ATR(14) of 15m candles / price. */
  atr15mPct: number;
  /** Quote volume of the last 24 closed hours. */
  quoteVolume24h: number;
  /** Standard deviation of the hourly log returns of the last 24 h, scaled to a day. */
  volatility: number;
  /** Where the price sits in the range: 0 at its low, 1 at its high. */
  rangeProximity: number;
  /** Open interest change: spot markets have none. */
  oiDelta: number | null;
}

export interface SymbolScan {
  symbol: string;
  metrics: SymbolMetrics;
  levels: { high: number; low: number };
  filters: { liquidity: boolean; volatility: boolean; volumeSurge: boolean };
  passed: boolean;
  score: number;
}

/** Candles the scanner reads per symbol: closed, oldest first. */
export interface ScanInput {
  symbol: string;
  hours: readonly Candle[];
  quarters: readonly Candle[];
  /** Candles of the preset's timeframe holding the range. */
  range: readonly Candle[];
}

/** Candles of the preset's timeframe whose range the scanner measures: the strategy's lookback and one. */
export function rangeCandlesOf(config: Pick<PresetConfig, 'strategy'>): number {
  return (config.strategy.parameters.lookback ?? 20) + 1;
}

export const HOURS_NEEDED = 25;
export const QUARTERS_NEEDED = 40;

/** Metrics and range levels of one symbol; undefined when its history is too short to say. */
export function measure(input: ScanInput): Omit<SymbolScan, 'filters' | 'passed' | 'score'> | undefined {
  const { hours, quarters, range } = input;
  if (hours.length < 2 || quarters.length < 15 || range.length < 2) return undefined;
  const last = hours[hours.length - 1];
  const previous = hours.slice(-HOURS_NEEDED, -1);
  const averageVolume = previous.reduce((sum, candle) => sum + candle.volume, 0) / previous.length;
  const day = hours.slice(-24);
  const quoteVolume24h = day.reduce((sum, candle) => sum + candle.volume * candle.close, 0);
  const returns: number[] = [];
  for (let index = 1; index < day.length; index++)
    returns.push(Math.log(day[index].close / day[index - 1].close));
  const mean = returns.reduce((sum, value) => sum + value, 0) / returns.length;
  const variance =
    returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, returns.length - 1);
  const atr = new Atr(14);
  let atrValue: number | undefined;
  for (const candle of quarters) atrValue = atr.update(candle.high, candle.low, candle.close);
  const price = quarters[quarters.length - 1].close;
  // The range is the candles before the newest, so a breakout of it can be seen.
  const window = range.slice(0, -1);
  const high = Math.max(...window.map((candle) => candle.high));
  const low = Math.min(...window.map((candle) => candle.low));
  return {
    symbol: input.symbol,
    metrics: {
      price,
      volSurge1h: averageVolume > 0 ? last.volume / averageVolume : 0,
      atr15mPct: atrValue !== undefined && price > 0 ? atrValue / price : 0,
      quoteVolume24h,
      volatility: Math.sqrt(variance) * Math.sqrt(24),
      rangeProximity: high > low ? Math.max(0, Math.min(1, (price - low) / (high - low))) : 0.5,
      oiDelta: null,
    },
    levels: { high, low },
  };
}

const METRIC_OF: Record<ScoreMetric, (metrics: SymbolMetrics) => number | null> = {
  volSurge: (metrics) => metrics.volSurge1h,
  oiDelta: (metrics) => metrics.oiDelta,
  atrPct: (metrics) => metrics.atr15mPct,
  liquidity: (metrics) => metrics.quoteVolume24h,
  volatility: (metrics) => metrics.volatility,
  rangeProximity: (metrics) => metrics.rangeProximity,
};

/**
 * Applies the preset's filters and scores every symbol: each weighted metric becomes its percentile
 * rank among the scanned symbols (0 lowest, 1 highest), and the score is the weighted mean of the
 * ranks over the metrics the market has (a spot market has no open interest, so oiDelta's weight
 * does not dilute the others). Sorted: passed first, then by score, then by symbol.
 */
export function scoreAll(
  measured: ReadonlyArray<Omit<SymbolScan, 'filters' | 'passed' | 'score'>>,
  config: PresetConfig['scannerConfig'],
): SymbolScan[] {
  const { filters, scoreWeights } = config;
  const ranks = new Map<ScoreMetric, Map<string, number>>();
  for (const [metric, weight] of Object.entries(scoreWeights) as Array<[ScoreMetric, number]>) {
    if (!(weight > 0)) continue;
    const values = measured
      .map((scan) => ({ symbol: scan.symbol, value: METRIC_OF[metric](scan.metrics) }))
      .filter((entry): entry is { symbol: string; value: number } => entry.value !== null);
    values.sort((a, b) => a.value - b.value);
    const rank = new Map<string, number>();
    values.forEach((entry, index) =>
      rank.set(entry.symbol, values.length > 1 ? index / (values.length - 1) : 1),
    );
    ranks.set(metric, rank);
  }
  const scans = measured.map((scan): SymbolScan => {
    const { metrics } = scan;
    const verdicts = {
      liquidity: metrics.quoteVolume24h >= filters.minQuoteVolume24h,
      volatility: metrics.atr15mPct >= filters.minAtrPct && metrics.atr15mPct <= filters.maxAtrPct,
      volumeSurge: metrics.volSurge1h >= filters.minVolumeSurge,
    };
    let weighted = 0;
    let weights = 0;
    for (const [metric, rank] of ranks) {
      const value = rank.get(scan.symbol);
      if (value === undefined) continue;
      const weight = scoreWeights[metric] ?? 0;
      weighted += weight * value;
      weights += weight;
    }
    return {
      ...scan,
      filters: verdicts,
      passed: verdicts.liquidity && verdicts.volatility && verdicts.volumeSurge,
      score: weights > 0 ? Math.round((weighted / weights) * 10_000) / 10_000 : 0,
    };
  });
  return scans.sort(
    (a, b) => Number(b.passed) - Number(a.passed) || b.score - a.score || a.symbol.localeCompare(b.symbol),
  );
}
