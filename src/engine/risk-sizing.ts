import { Money } from '../platform/decimal/money';

export interface SizingInput {
  /** Account value in the quote currency. */
  equity: number;
  /** Share of equity to lose if the stop is hit (0.006 = 0.6 %). */
  riskPerTrade: number;
  entry: number;
  stopLoss: number;
  /** Quote currency that can be spent now (free balance). */
  available: number;
  /** The most one position may be worth (a slot's share of equity); none when undefined. */
  maxNotional?: number;
  /** Taker fee rate, paid on the entry and again on the exit. */
  feeRate: number;
  /** The market's bid-ask spread as a share of its price, paid again to sell; 0 when unknown. */
  spread?: number;
  /** The market's amount step and minimums. */
  stepSize: string;
  minAmount: number;
  minNotional: number;
}

/** What set a position's size: its risk, the free balance, or the slot's share of equity. */
export type SizedBy = 'risk' | 'cash' | 'slot';

export type Sizing =
  | {
      ok: true;
      amount: string;
      notional: number;
      /** What the position loses at its stop, costs included (quote currency). */
      risk: number;
      /** That loss as a share of equity: riskPerTrade unless a cap bound (or the step rounded down). */
      riskShare: number;
      sizedBy: SizedBy;
    }
  | { ok: false; reason: string };

/**
 * Fixed-fractional sizing (the seeds' risk per trade): amount = riskPerTrade x equity / the loss per
 * unit at the stop, costs included (|entry - stop| + entry x (2 x taker fee + spread): the fees in and
 * out and the spread the exit sells into), rounded down to the market's step, capped by what the free
 * balance can pay with its fee and by the largest position allowed (a tight stop must not put the
 * whole account in one trade), refused below the market's minimums. The same function sizes live bots
 * and backtests.
 */
export function sizeByRisk(input: SizingInput): Sizing {
  const distance = Math.abs(input.entry - input.stopLoss);
  if (!(input.entry > 0) || !(distance > 0))
    return { ok: false, reason: 'no distance between entry and stop' };
  if (!(input.equity > 0)) return { ok: false, reason: 'no equity' };
  const lossPerUnit = distance + input.entry * (2 * input.feeRate + (input.spread ?? 0));
  const wanted = (input.equity * input.riskPerTrade) / lossPerUnit;
  const byCash = input.available / (1 + input.feeRate) / input.entry;
  const bySlot = (input.maxNotional ?? Infinity) / input.entry;
  const sizedBy: SizedBy = wanted <= byCash && wanted <= bySlot ? 'risk' : byCash <= bySlot ? 'cash' : 'slot';
  const step = new Money(input.stepSize);
  const raw = new Money(Math.min(wanted, byCash, bySlot).toPrecision(15));
  const amount = raw.div(step).floor().times(step);
  const value = amount.toNumber();
  if (value <= 0 || value < input.minAmount)
    return { ok: false, reason: `size ${value} is below the minimum amount ${input.minAmount}` };
  const notional = value * input.entry;
  if (notional < input.minNotional)
    return {
      ok: false,
      reason: `order value ${notional.toFixed(2)} is below the minimum ${input.minNotional}`,
    };
  const risk = value * lossPerUnit;
  return { ok: true, amount: amount.toFixed(), notional, risk, riskShare: risk / input.equity, sizedBy };
}
