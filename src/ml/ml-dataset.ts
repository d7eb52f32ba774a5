import { uniform } from '../market/counter-random';
import type { Candle } from '../market/market-types';
import { FEATURE_COUNT, FeatureStream, logReturn } from './ml-features';
import { BarrierSettings, tripleBarrierLabel } from './triple-barrier';

export const MARKET_FACTOR_SYMBOL = 'BTC/USDT';

/** Samples laid out for training: row i's features at [i·width, (i+1)·width). */
export interface Dataset {
  width: number;
  features: Float32Array;
  labels: Uint8Array;
  /** When each sample's features were known (its candle's close). */
  times: Float64Array;
  /** When its label was known at the latest (the vertical barrier's close). */
  labelEnds: Float64Array;
  /** Index into `symbols`. */
  symbolIndex: Uint16Array;
  symbols: string[];
}

/** Each candle's one-candle log return of the market factor (BTC/USDT), by open time. */
export function factorReturns(factor: readonly Candle[] | undefined): Map<number, number> {
  const returns = new Map<number, number>();
  for (let i = 1; i < (factor?.length ?? 0); i++)
    returns.set(factor![i].openTime, logReturn(factor![i - 1].close, factor![i].close));
  return returns;
}

/**
 * The training samples of every symbol's candles (one timeframe, oldest first): the features at each
 * close from the streaming pipeline and the triple-barrier label of an entry there; candles whose label
 * is not known yet (the last `horizon`) and the pipeline's warm-up give no sample.
 */
export function buildDataset(
  candlesBySymbol: ReadonlyMap<string, readonly Candle[]>,
  timeframeMs: number,
  barrier: BarrierSettings,
): Dataset {
  const btc = factorReturns(candlesBySymbol.get(MARKET_FACTOR_SYMBOL));
  const symbols = [...candlesBySymbol.keys()];
  const capacity = symbols.reduce((sum, symbol) => sum + candlesBySymbol.get(symbol)!.length, 0);
  const features = new Float32Array(capacity * FEATURE_COUNT);
  const labels = new Uint8Array(capacity);
  const times = new Float64Array(capacity);
  const labelEnds = new Float64Array(capacity);
  const symbolIndex = new Uint16Array(capacity);
  let rows = 0;
  for (const [index, symbol] of symbols.entries()) {
    const candles = candlesBySymbol.get(symbol)!;
    const stream = new FeatureStream(timeframeMs);
    for (let i = 0; i < candles.length; i++) {
      const vector = stream.update(candles[i], btc.get(candles[i].openTime) ?? null);
      if (!vector) continue;
      const label = tripleBarrierLabel(candles, i, stream.lastAtr!, barrier);
      if (label === null) break;
      features.set(vector, rows * FEATURE_COUNT);
      labels[rows] = label;
      times[rows] = candles[i].openTime + timeframeMs;
      labelEnds[rows] = candles[i + barrier.horizon].openTime + timeframeMs;
      symbolIndex[rows] = index;
      rows++;
    }
  }
  return {
    width: FEATURE_COUNT,
    features: features.slice(0, rows * FEATURE_COUNT),
    labels: labels.slice(0, rows),
    times: times.slice(0, rows),
    labelEnds: labelEnds.slice(0, rows),
    symbolIndex: symbolIndex.slice(0, rows),
    symbols,
  };
}

/** The rows of a dataset picked by index (features and labels only: what a learner reads). */
export function pickRows(
  dataset: Dataset,
  rows: readonly number[],
): { features: Float32Array; labels: Uint8Array } {
  const features = new Float32Array(rows.length * dataset.width);
  const labels = new Uint8Array(rows.length);
  for (const [at, row] of rows.entries()) {
    features.set(
      dataset.features.subarray(row * dataset.width, (row + 1) * dataset.width),
      at * dataset.width,
    );
    labels[at] = dataset.labels[row];
  }
  return { features, labels };
}

/** A Fisher-Yates shuffle of 0..n-1 driven by the seeded counter-based generator. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform(seed, 91, i, 0, 0) * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
