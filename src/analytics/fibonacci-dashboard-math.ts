import type { Candle } from '../market/market-types';

// Seed 000's dashboard numbers as documented heuristics (README, "Fibonacci dashboard"): each says
// exactly what it is made of and claims nothing beyond that.

export const PHI = 1.618;
/** Retracement ratios from the swing's end back toward its start, and extensions beyond its end. */
export const FIB_RETRACEMENTS = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1] as const;
export const FIB_EXTENSIONS = [1.618, 2.618, 4.236] as const;

export interface FibSwing {
  high: number;
  low: number;
  highAt: number;
  lowAt: number;
  /** up: the low came first (a rise, retraced downward); down: the high came first. */
  direction: 'up' | 'down';
}

/**
 * The latest swing: the highest high and the lowest low of the candles given (the last 100 hourly
 * ones), its direction from which came first. Null without candles or with a flat range.
 */
export function latestSwing(candles: readonly Candle[]): FibSwing | null {
  if (candles.length === 0) return null;
  let high = candles[0];
  let low = candles[0];
  for (const candle of candles) {
    if (candle.high >= high.high) high = candle;
    if (candle.low <= low.low) low = candle;
  }
  if (!(high.high > low.low)) return null;
  return {
    high: high.high,
    low: low.low,
    highAt: high.openTime,
    lowAt: low.openTime,
    direction: low.openTime <= high.openTime ? 'up' : 'down',
  };
}

/**
 * Price levels of a swing, keyed by ratio: retracements measured back from its end (an up-swing's
 * high, a down-swing's low: ratio 0) toward its start (ratio 1), extensions past its end measured
 * from its start (1.618 × the range above an up-swing's low).
 */
export function fibonacciLevels(swing: FibSwing): Record<string, number> {
  const range = swing.high - swing.low;
  const up = swing.direction === 'up';
  const levels: Record<string, number> = {};
  for (const ratio of FIB_RETRACEMENTS)
    levels[String(ratio)] = up ? swing.high - ratio * range : swing.low + ratio * range;
  for (const ratio of FIB_EXTENSIONS)
    levels[String(ratio)] = up ? swing.low + ratio * range : swing.high - ratio * range;
  return levels;
}

/** Where a price sits: its retracement (0 at the swing's end, 1 at its start), nearest level, the levels around it. */
export function placeInSwing(price: number, swing: FibSwing) {
  const range = swing.high - swing.low;
  const retracement = swing.direction === 'up' ? (swing.high - price) / range : (price - swing.low) / range;
  let nearest: number = FIB_RETRACEMENTS[0];
  for (const ratio of FIB_RETRACEMENTS)
    if (Math.abs(retracement - ratio) < Math.abs(retracement - nearest)) nearest = ratio;
  const below = [...FIB_RETRACEMENTS].reverse().find((ratio) => ratio <= retracement) ?? null;
  const above = FIB_RETRACEMENTS.find((ratio) => ratio >= retracement) ?? null;
  return { retracement, nearestLevel: nearest, between: [below, above] as [number | null, number | null] };
}

/** 1 − |value − target| / target, kept in 0..1: how near a value is to its Fibonacci target. */
export function alignment(value: number | null, target: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return Math.max(0, Math.min(1, 1 - Math.abs(value - target) / target));
}

/** The smaller side's exposure over the larger's (0 with one side empty), scored against 0.618. */
export function positionBalance(longValue: number, shortValue: number) {
  const larger = Math.max(longValue, shortValue);
  const currentRatio = larger > 0 ? Math.min(longValue, shortValue) / larger : 0;
  return {
    ratioType: 'long:short',
    optimalValue: 0.618,
    currentRatio,
    balanceScore: alignment(currentRatio, 0.618)!,
  };
}

/** The harmonic state's name from its score. */
export function harmonicStateOf(score: number | null): string {
  if (score === null) return 'Unknown';
  if (score >= 0.8) return 'Golden Harmony';
  if (score >= 0.6) return 'Balanced Flow';
  if (score >= 0.4) return 'Mild Dissonance';
  return 'Dissonance';
}

/** The mean of the values that exist; null when none does. */
export function meanOf(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((value): value is number => value !== null && Number.isFinite(value));
  return known.length ? known.reduce((sum, value) => sum + value, 0) / known.length : null;
}

/**
 * A symbol's market energy, 0-100, from its last 25 hourly candles: 40 % momentum (50 + 50 · tanh of
 * the 24 h change in percent / 5), 30 % volume surge (the last hour's volume over the mean of the 24
 * before, 3× or more scoring 100), 30 % volatility (the mean hourly range over the price, 2 % or more
 * scoring 100). Null with fewer than 25 candles.
 */
export function marketEnergyOf(hours: readonly Candle[]): number | null {
  if (hours.length < 25) return null;
  const recent = hours.slice(-25);
  const last = recent[recent.length - 1];
  const first = recent[0];
  const change = first.close > 0 ? ((last.close - first.close) / first.close) * 100 : 0;
  const momentum = 50 + 50 * Math.tanh(change / 5);
  const before = recent.slice(0, 24);
  const meanVolume = before.reduce((sum, candle) => sum + candle.volume, 0) / before.length;
  const surge = meanVolume > 0 ? last.volume / meanVolume : 0;
  const volume = 100 * Math.min(1, surge / 3);
  const meanRange =
    recent.reduce((sum, candle) => sum + (candle.high - candle.low) / candle.close, 0) / recent.length;
  const volatility = 100 * Math.min(1, meanRange / 0.02);
  return 0.4 * momentum + 0.3 * volume + 0.3 * volatility;
}

/** The positions' energy, 0-100: 50 + 50 · tanh(20 × their unrealised PnL over their cost); 50 with none. */
export function positionEnergyOf(unrealizedPnl: number, cost: number): number {
  return cost > 0 ? 50 + 50 * Math.tanh((20 * unrealizedPnl) / cost) : 50;
}

export function energyStateOf(combined: number | null): string {
  if (combined === null) return 'Unknown';
  if (combined >= 75) return 'High Resonance';
  if (combined >= 55) return 'Harmonic Flow';
  if (combined >= 45) return 'Neutral';
  if (combined >= 25) return 'Low Energy';
  return 'Depleted';
}
