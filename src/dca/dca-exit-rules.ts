import { Money } from '../platform/decimal/money';
import type { DealSettings, DealStatus } from './dca-deal.entity';

export type PriceAction =
  | { kind: 'close'; reason: 'stop_loss' | 'timeout' | 'trailing_take_profit' }
  | { kind: 'arm_trailing'; target: Money }
  | { kind: 'raise_high'; high: Money }
  | null;

/**
 * What a bought deal does at a price: sell at its stop loss (or at breakeven once a take-profit step
 * sold), at its timeout, or when the price fell `trailingDeviation` from its high after the trailing
 * target armed; arm the trailing target when reached; follow a new high. Pure, so that bots and
 * backtests read the same rules.
 */
export function priceAction(at: {
  settings: DealSettings;
  status: DealStatus;
  trailingHigh: string | null;
  average: Money;
  /** The target the trailing take profit arms at (the last step's). */
  trailingTarget: Money;
  bid: Money;
  ageMs: number;
  stepSold: boolean;
}): PriceAction {
  const { stopLoss, stopLossToBreakeven, dealTimeoutMinutes, trailingDeviation } = at.settings;
  if (stopLoss !== null && at.bid.lte(at.average.times(1 - stopLoss / 100)))
    return { kind: 'close', reason: 'stop_loss' };
  if (stopLossToBreakeven && at.stepSold && at.bid.lte(at.average))
    return { kind: 'close', reason: 'stop_loss' };
  if (dealTimeoutMinutes !== null && at.ageMs >= dealTimeoutMinutes * 60_000)
    return { kind: 'close', reason: 'timeout' };
  if (trailingDeviation === null) return null;
  if (at.status === 'bought')
    return at.bid.gte(at.trailingTarget) ? { kind: 'arm_trailing', target: at.trailingTarget } : null;
  if (at.status !== 'ttp_activated') return null;
  const high = Money.max(at.trailingHigh ?? at.bid, at.bid);
  if (at.bid.lte(high.times(1 - trailingDeviation / 100)))
    return { kind: 'close', reason: 'trailing_take_profit' };
  return high.gt(at.trailingHigh ?? 0) ? { kind: 'raise_high', high } : null;
}
