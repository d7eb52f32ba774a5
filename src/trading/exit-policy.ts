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

export type CloseDecision = { exit: 'time_stop' | 'signal' } | { exit: null; trailTo: number | null };

/**
 * At a candle's close (`closeTime`, price `close`): the time stop, then the strategy's sell signal;
 * otherwise where the trailing stop moves (null when it stays).
 */
export function atCandleClose(
  position: HeldPosition,
  candle: { closeTime: number; close: number },
  sellSignal: boolean,
  rules: ExitRules,
): CloseDecision {
  if (candle.closeTime - position.entryTime >= rules.maxHoldMinutes * 60_000) return { exit: 'time_stop' };
  if (sellSignal && position.side === 'long') return { exit: 'signal' };
  return { exit: null, trailTo: trailedStop(position, candle.close, rules.trailingStopR) };
}

/** The stop a trailing stop of `distanceR` risk units moves to at `price`, or null when it stays. */
export function trailedStop(position: HeldPosition, price: number, distanceR: number | null): number | null {
  if (distanceR === null || position.side !== 'long' || position.amount <= 0 || position.initialRisk <= 0)
    return null;
  const unit = position.initialRisk / position.amount;
  if (price - position.entryPrice < distanceR * unit) return null;
  const stop = price - distanceR * unit;
  return position.stopLoss === null || stop > position.stopLoss ? stop : null;
}
