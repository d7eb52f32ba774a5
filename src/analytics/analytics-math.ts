// The formulas of the analytics routes, pure, as empyrical (Quantopian's) defines them. Returns are
// simple daily returns; crypto trades every day, so a year is 365 of them. Every function answers null
// where its definition has no value (too few observations, a zero denominator): never NaN or Infinity.

export const DAYS_PER_YEAR = 365;

export interface TimedValue {
  time: number;
  value: number;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Standard deviation with `ddof` degrees of freedom removed (1: the sample's). */
export function standardDeviation(values: readonly number[], ddof = 1): number | null {
  const average = mean(values);
  if (average === null || values.length - ddof <= 0) return null;
  let squares = 0;
  for (const value of values) squares += (value - average) ** 2;
  return Math.sqrt(squares / (values.length - ddof));
}

/** r_i = v_i / v_(i−1) − 1 between consecutive values (a step from a value ≤ 0 has no return). */
export function simpleReturns(values: readonly number[]): number[] {
  const returns: number[] = [];
  for (let i = 1; i < values.length; i++) if (values[i - 1] > 0) returns.push(values[i] / values[i - 1] - 1);
  return returns;
}

/** The last value of each UTC day, oldest first (the series' daily closes). */
export function dailyCloses(points: readonly TimedValue[]): TimedValue[] {
  const closes: TimedValue[] = [];
  for (const point of points) {
    const day = Math.floor(point.time / 86_400_000);
    const last = closes[closes.length - 1];
    if (last && Math.floor(last.time / 86_400_000) === day) closes[closes.length - 1] = point;
    else closes.push(point);
  }
  return closes;
}

/** mean / standard deviation (ddof 1) · √365, risk-free 0; null below 2 returns or with no variation. */
export function sharpeRatio(returns: readonly number[]): number | null {
  const std = standardDeviation(returns);
  if (returns.length < 2 || !std) return null;
  return (mean(returns)! / std) * Math.sqrt(DAYS_PER_YEAR);
}

/**
 * mean · 365 / (downside deviation · √365), the downside deviation over all observations:
 * √(mean(min(r, 0)²)) (empyrical's sortino_ratio); null below 2 returns or with no losing day.
 */
export function sortinoRatio(returns: readonly number[]): number | null {
  if (returns.length < 2) return null;
  const downside = Math.sqrt(mean(returns.map((value) => Math.min(value, 0) ** 2))!);
  if (!downside) return null;
  return (mean(returns)! / downside) * Math.sqrt(DAYS_PER_YEAR);
}

/** Standard deviation (ddof 1) of daily returns · √365. */
export function annualVolatility(returns: readonly number[]): number | null {
  if (returns.length < 2) return null;
  return standardDeviation(returns)! * Math.sqrt(DAYS_PER_YEAR);
}

/** (end / start)^(365 / days) − 1 over `days` daily returns (empyrical's cagr). */
export function cagr(start: number, end: number, days: number): number | null {
  if (!(start > 0) || !(days > 0) || end < 0) return null;
  const value = (end / start) ** (DAYS_PER_YEAR / days) - 1;
  return Number.isFinite(value) ? value : null;
}

export interface Drawdown {
  /** Deepest fall from a running peak, as a positive share of the peak (0.2 = 20 %). */
  maxDrawdown: number;
  peakAt: number | null;
  troughAt: number | null;
  /** When the value first got back to the peak after the trough; null while it has not. */
  recoveredAt: number | null;
  /** The fall from the highest value so far to the last one. */
  currentDrawdown: number;
}

export function drawdownOf(points: readonly TimedValue[]): Drawdown {
  let peak = -Infinity;
  let peakAt: number | null = null;
  let deepest = 0;
  let deepestPeak: number | null = null;
  let deepestPeakAt: number | null = null;
  let troughAt: number | null = null;
  for (const point of points) {
    if (point.value > peak) {
      peak = point.value;
      peakAt = point.time;
    } else if (peak > 0) {
      const fall = 1 - point.value / peak;
      if (fall > deepest) {
        deepest = fall;
        deepestPeak = peak;
        deepestPeakAt = peakAt;
        troughAt = point.time;
      }
    }
  }
  let recoveredAt: number | null = null;
  if (troughAt !== null && deepestPeak !== null)
    recoveredAt = points.find((point) => point.time > troughAt && point.value >= deepestPeak)?.time ?? null;
  const last = points[points.length - 1];
  return {
    maxDrawdown: deepest,
    peakAt: deepestPeakAt,
    troughAt,
    recoveredAt,
    currentDrawdown: last && peak > 0 ? Math.max(0, 1 - last.value / peak) : 0,
  };
}

/** CAGR / |max drawdown|; null without a drawdown. */
export function calmarRatio(growth: number | null, maxDrawdown: number): number | null {
  if (growth === null || !(maxDrawdown > 0)) return null;
  return growth / maxDrawdown;
}

/** The q-quantile (0..1) with linear interpolation between the sorted values (NumPy's default). */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Historical value at risk: the `cutoff` quantile of the returns (0.05 for VaR 95 %), a negative return. */
export function valueAtRisk(returns: readonly number[], cutoff: number): number | null {
  return percentile(returns, cutoff);
}

/**
 * Conditional value at risk (expected shortfall): the mean of the lowest ⌊(n − 1) · cutoff⌋ + 1
 * returns, those at or below the VaR (empyrical's conditional_value_at_risk).
 */
export function conditionalValueAtRisk(returns: readonly number[], cutoff: number): number | null {
  if (returns.length === 0) return null;
  const sorted = [...returns].sort((a, b) => a - b);
  return mean(sorted.slice(0, Math.floor((sorted.length - 1) * cutoff) + 1));
}

/** Covariance of the pairs (ddof 1); the series are aligned by index. */
function covariance(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  if (n < 2) return null;
  const meanA = mean(a.slice(0, n))!;
  const meanB = mean(b.slice(0, n))!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (a[i] - meanA) * (b[i] - meanB);
  return sum / (n - 1);
}

/** cov(asset, market) / var(market); null below 2 pairs or when the market never moved. */
export function beta(asset: readonly number[], market: readonly number[]): number | null {
  const n = Math.min(asset.length, market.length);
  const variance = covariance(market.slice(0, n), market.slice(0, n));
  if (!variance) return null;
  return covariance(asset, market)! / variance;
}

/** Pearson's correlation; null below 2 pairs or when either series never moved. */
export function correlation(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  const spreadA = standardDeviation(a.slice(0, n));
  const spreadB = standardDeviation(b.slice(0, n));
  if (n < 2 || !spreadA || !spreadB) return null;
  return covariance(a, b)! / (spreadA * spreadB);
}

/** Gross profit / gross loss (both as positive sums); null without a loss. */
export function profitFactor(grossProfit: number, grossLoss: number): number | null {
  return grossLoss > 0 ? grossProfit / grossLoss : null;
}

/** Gross profit and gross loss of a list of trade results. */
export function grossOf(pnls: readonly number[]): { grossProfit: number; grossLoss: number } {
  let grossProfit = 0;
  let grossLoss = 0;
  for (const pnl of pnls) {
    if (pnl > 0) grossProfit += pnl;
    else grossLoss -= pnl;
  }
  return { grossProfit, grossLoss };
}

/** The mean result per trade (in quote, or in R over the trades with one); null without trades. */
export function expectancy(total: number, trades: number): number | null {
  return trades > 0 ? total / trades : null;
}

/** Σ share² of the exposures (1: everything in one; 1/n: spread evenly); null without exposure. */
export function herfindahl(exposures: readonly number[]): number | null {
  const total = exposures.reduce((sum, value) => sum + Math.abs(value), 0);
  if (!(total > 0)) return null;
  return exposures.reduce((sum, value) => sum + (Math.abs(value) / total) ** 2, 0);
}
