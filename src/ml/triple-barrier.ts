import type { Candle } from '../market/market-types';

/** The classes a model predicts, in this order (the index is the label). */
export const ML_CLASSES = ['down', 'flat', 'up'] as const;
export type MlClass = (typeof ML_CLASSES)[number];
export const DOWN = 0;
export const FLAT = 1;
export const UP = 2;

/** The triple barrier: k_up and k_down in ATRs from the close, and the vertical barrier in candles. */
export interface BarrierSettings {
  kUp: number;
  kDown: number;
  horizon: number;
}

/**
 * The triple-barrier label of an entry at candle `index`'s close (López de Prado, AFML 3.4): the first
 * barrier the following candles touch, `up` at close + kUp·ATR, `down` at close − kDown·ATR, `flat` when
 * neither is touched within `horizon` candles. A candle that reaches both counts as `down` (within one
 * candle the order is unknown; the stop is assumed first, as the backtests assume). Null when fewer than
 * `horizon` candles follow (the label is not known yet).
 */
export function tripleBarrierLabel(
  candles: readonly Candle[],
  index: number,
  atr: number,
  settings: BarrierSettings,
): number | null {
  if (index + settings.horizon >= candles.length) return null;
  const entry = candles[index].close;
  const upper = entry + settings.kUp * atr;
  const lower = entry - settings.kDown * atr;
  for (let step = 1; step <= settings.horizon; step++) {
    const candle = candles[index + step];
    if (candle.low <= lower) return DOWN;
    if (candle.high >= upper) return UP;
  }
  return FLAT;
}
