/**
 * When a position is closed: one set of rules for bots and backtests, with no I/O, so a backtest
 * replays exactly what a bot decides. The stop and the target are checked against every price the
 * market traded at (a tick for the trade guard, a candle's range at a candle's close); the time stop,
 * the strategy's sell and the trailing stop at each close of the bot's timeframe.
 */

export type ExitReason = 'stop_loss' | 'take_profit' | 'time_stop' | 'signal';

export interface ExitRules {
  /** A position held this long is closed at the next candle close. */
  maxHoldMinutes: number;
  /** Once the close is this many risk units in profit, the stop follows it at that distance; null: off. */
  trailingStopR: number | null;
}

export interface HeldPosition {
  side: 'long' | 'short';
  /** When the entry filled (ms). */
  entryTime: number;
  /** Average entry price. */
  entryPrice: number;
  amount: number;
  stopLoss: number | null;
  takeProfit: number | null;
  /** What the position loses at its initial stop (quote currency); 0 when unknown. */
  initialRisk: number;
}

/**
 * The level the market reached between `low` and `high` (one price when both are the same): the
 * stop first when both were reached, since which came first is not known and the stop is the worse.
 */
export function levelReached(
  position: Pick<HeldPosition, 'side' | 'stopLoss' | 'takeProfit'>,
  low: number,
  high: number,
): 'stop_loss' | 'take_profit' | null {
  const long = position.side === 'long';
  const { stopLoss, takeProfit } = position;
  if (stopLoss !== null && (long ? low <= stopLoss : high >= stopLoss)) return 'stop_loss';
  if (takeProfit !== null && (long ? high >= takeProfit : low <= takeProfit)) return 'take_profit';
  return null;
}

export type CloseDecision =
  { exit: 'time_stop' | 'signal' | 'stop_loss' } | { exit: null; trailTo: number | null };

/**
 * At a candle's close: the time stop, then the strategy's sell signal; otherwise where the trailing
 * stop moves (null when it stays). The stop trails the candle's high, as a stop following every tick
 * would have; when the close fell back to that stop or below, such a stop was hit in the candle, and
 * the position is sold now (`stop_loss`). `roundTripCost` (fees in and out and the spread, as a share
 * of the price) puts a stop trailed to about the entry where the round trip breaks even.
 */
export function atCandleClose(
  position: HeldPosition,
  candle: { closeTime: number; close: number; high: number },
  sellSignal: boolean,
  rules: ExitRules,
  roundTripCost = 0,
): CloseDecision {
  if (candle.closeTime - position.entryTime >= rules.maxHoldMinutes * 60_000) return { exit: 'time_stop' };
  if (sellSignal && position.side === 'long') return { exit: 'signal' };
  const trailTo = trailedStop(position, candle.high, rules.trailingStopR, roundTripCost);
  if (trailTo !== null && candle.close <= trailTo) return { exit: 'stop_loss' };
  return { exit: null, trailTo };
}

/**
 * The stop a trailing stop of `distanceR` risk units moves to once the market traded at `high`, or
 * null when it stays; at least at break-even (the entry plus `roundTripCost`) once the market traded
 * above that, so that an exit there does not lose the costs.
 */
export function trailedStop(
  position: HeldPosition,
  high: number,
  distanceR: number | null,
  roundTripCost = 0,
): number | null {
  if (distanceR === null || position.side !== 'long' || position.amount <= 0 || position.initialRisk <= 0)
    return null;
  const unit = position.initialRisk / position.amount;
  if (high - position.entryPrice < distanceR * unit) return null;
  const breakEven = position.entryPrice * (1 + roundTripCost);
  let stop = high - distanceR * unit;
  if (stop < breakEven && breakEven < high) stop = breakEven;
  return position.stopLoss === null || stop > position.stopLoss ? stop : null;
}
