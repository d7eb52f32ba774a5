/**
 * The "harmony" scores of seed 000, as a documented heuristic (0 = none, 1 = perfect):
 * - entry/exit harmony: how close the price was to a Fibonacci retracement level (23.6 %, 38.2 %,
 *   50 %, 61.8 %, 78.6 %) of the swing (high and low) of the 24 hours before it. The score falls
 *   linearly from 1 on a level to 0 at 11.8 % of the swing away (half the narrowest gap between
 *   two levels), so a price midway between levels scores 0.
 * - Fibonacci alignment: how close the move from entry to exit, in swings, was to a Fibonacci
 *   ratio (0.382, 0.618, 1, 1.618, 2.618); 1 on a ratio, 0 at 0.118 swings away.
 */
export const RETRACEMENTS = [0.236, 0.382, 0.5, 0.618, 0.786] as const;
export const EXTENSIONS = [0.382, 0.618, 1, 1.618, 2.618] as const;
const TOLERANCE = 0.118;

export interface Swing {
  high: number;
  low: number;
}

function closeness(distance: number): number {
  return Math.round(Math.max(0, 1 - distance / TOLERANCE) * 10_000) / 10_000;
}

/** Harmony of a price with the swing's retracement levels; null for a flat or missing swing. */
export function levelHarmony(price: number, swing: Swing | undefined): number | null {
  if (!swing || !(swing.high > swing.low)) return null;
  const position = (price - swing.low) / (swing.high - swing.low);
  return closeness(Math.min(...RETRACEMENTS.map((ratio) => Math.abs(position - ratio))));
}

/** Alignment of the entry-to-exit move with Fibonacci extensions of the entry swing. */
export function moveAlignment(entry: number, exit: number, swing: Swing | undefined): number | null {
  if (!swing || !(swing.high > swing.low)) return null;
  const move = Math.abs(exit - entry) / (swing.high - swing.low);
  return closeness(Math.min(...EXTENSIONS.map((ratio) => Math.abs(move - ratio))));
}
