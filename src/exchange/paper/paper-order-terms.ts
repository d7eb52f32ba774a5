import { SimulatedPair } from '../../market/simulated-universe';
import { Money } from '../../platform/decimal/money';
import { ExchangeFailure } from '../exchange-errors';
import { money, text } from './paper-money';

/** Amount rounded down to the market's step; refused when nothing is left. */
export function orderAmount(pair: SimulatedPair, raw: string): Money {
  let value: Money;
  try {
    value = money(raw);
  } catch {
    throw new ExchangeFailure('invalid_order', `amount ${raw} is not a number`);
  }
  const step = money(pair.stepSize);
  const rounded = value.div(step).floor().times(step);
  if (!value.isFinite() || rounded.lte(0))
    throw new ExchangeFailure('invalid_order', `amount must be at least ${text(step)} ${pair.base}`);
  return rounded;
}

export function orderPrice(pair: SimulatedPair, raw: string | undefined, field: string): Money {
  if (raw === undefined)
    throw new ExchangeFailure('invalid_order', `${field} is required for this order type`);
  let value: Money;
  try {
    value = money(raw);
  } catch {
    throw new ExchangeFailure('invalid_order', `${field} ${raw} is not a number`);
  }
  const tick = money(pair.tickSize);
  const rounded = value.div(tick).round().times(tick);
  if (!value.isFinite() || rounded.lte(0))
    throw new ExchangeFailure('invalid_order', `${field} must be positive`);
  return rounded;
}
