import { Money } from '../platform/decimal/money';

export type VolumeType = 'quote' | 'base' | 'percent';
export type TakeProfitType = 'total' | 'base';

/** The settings a ladder is built from (3Commas' names in the comments). */
export interface LadderSettings {
  /** Base order size ("base order"), in `volumeType` units. */
  baseOrderVolume: number;
  /** First safety order's size ("safety order"), in `volumeType` units. */
  safetyOrderVolume: number;
  /** `quote` amount, `base` amount, or `percent` of the free quote balance. */
  volumeType: VolumeType;
  /** Safety orders at most ("max safety trades count"), 0-200. */
  maxSafetyOrders: number;
  /** First safety order's distance below the base fill, percent ("price deviation"). */
  priceDeviation: number;
  /** Martingale volume coefficient ("safety order volume scale"). */
  volumeScale: number;
  /** Martingale step coefficient ("safety order step scale"). */
  stepScale: number;
  /** Target profit, percent ("target profit"). */
  takeProfit: number;
  /** `total`: from the average entry of everything bought; `base`: the profit of the base order only. */
  takeProfitType: TakeProfitType;
}

/** One market's steps, as the exchange trades it. */
export interface LadderMarket {
  priceStep: string;
  amountStep: string;
}

export interface LadderOrder {
  /** 0: the base order; n: the nth safety order. */
  index: number;
  /** Cumulative distance below the base price, percent (D_n). */
  deviation: number;
  /** Planned price, to the market's tick. */
  price: string;
  /** Base amount, down to the market's step. */
  amount: string;
  /** Quote size planned by the formula (SO · v^(n-1), or the base order's). */
  volume: number;
  /** amount × price, what it costs as rounded. */
  cost: string;
  cumulativeAmount: string;
  cumulativeCost: string;
  /** Average entry if the ladder filled down to this order. */
  averageEntry: string;
  /** Take-profit price if the ladder filled down to this order. */
  takeProfitPrice: string;
}

export interface Ladder {
  basePrice: string;
  orders: LadderOrder[];
  /** base + SO · (v^N − 1)/(v − 1) (base + SO · N when v = 1): the formula's quote total. */
  totalCapital: number;
  /** The same, from the rounded amounts and prices. */
  totalCost: string;
  /** D_N, percent. */
  maxDeviation: number;
}

/** D_n = d · (s^n − 1)/(s − 1), or d · n when s = 1. */
export function cumulativeDeviation(step: number, stepScale: number, n: number): number {
  return stepScale === 1 ? step * n : (step * (stepScale ** n - 1)) / (stepScale - 1);
}

/** base + SO · (v^N − 1)/(v − 1), or base + SO · N when v = 1. */
export function maxCapital(base: number, safety: number, volumeScale: number, n: number): number {
  return volumeScale === 1 ? base + safety * n : base + (safety * (volumeScale ** n - 1)) / (volumeScale - 1);
}

/** A value to a market's step: rounded down (amounts) or to the nearest (prices). */
export function toStep(value: Money, step: string, mode: 'down' | 'near'): Money {
  const size = new Money(step);
  if (!size.gt(0)) return value;
  const units = value.div(size);
  return (mode === 'down' ? units.floor() : units.round()).times(size);
}

/**
 * The ladder of a long deal from a base price P0: order n at P0 · (1 − D_n/100), of quote size
 * SO · v^(n−1) (the base order: its own size), prices to the tick, amounts down to the step; with the
 * average entry and take-profit price if filled down to each. Sizes in quote (`quote` and `percent`
 * volumes already turned into quote by the caller) or in base (`base`).
 */
export function buildLadder(
  settings: Omit<LadderSettings, 'volumeType'> & { volumeType: 'quote' | 'base' },
  basePrice: string,
  market: LadderMarket,
): Ladder {
  const p0 = new Money(basePrice);
  const orders: LadderOrder[] = [];
  let cumulativeAmount = new Money(0);
  let cumulativeCost = new Money(0);
  let baseCost = new Money(0);
  for (let n = 0; n <= settings.maxSafetyOrders; n++) {
    const deviation = n === 0 ? 0 : cumulativeDeviation(settings.priceDeviation, settings.stepScale, n);
    const price = toStep(p0.times(1 - deviation / 100), market.priceStep, 'near');
    const volume =
      n === 0 ? settings.baseOrderVolume : settings.safetyOrderVolume * settings.volumeScale ** (n - 1);
    const rawAmount = settings.volumeType === 'base' ? new Money(volume) : new Money(volume).div(price);
    const amount = toStep(rawAmount, market.amountStep, 'down');
    const cost = amount.times(price);
    if (n === 0) baseCost = cost;
    cumulativeAmount = cumulativeAmount.plus(amount);
    cumulativeCost = cumulativeCost.plus(cost);
    const average = cumulativeAmount.gt(0) ? cumulativeCost.div(cumulativeAmount) : price;
    const target =
      settings.takeProfitType === 'total'
        ? average.times(1 + settings.takeProfit / 100)
        : cumulativeAmount.gt(0)
          ? cumulativeCost.plus(baseCost.times(settings.takeProfit / 100)).div(cumulativeAmount)
          : price;
    orders.push({
      index: n,
      deviation: round(deviation, 6),
      price: price.toFixed(),
      amount: amount.toFixed(),
      volume: round(settings.volumeType === 'base' ? volume * p0.toNumber() : volume, 8),
      cost: cost.toDecimalPlaces(8).toFixed(),
      cumulativeAmount: cumulativeAmount.toFixed(),
      cumulativeCost: cumulativeCost.toDecimalPlaces(8).toFixed(),
      averageEntry: average.toDecimalPlaces(8).toFixed(),
      takeProfitPrice: toStep(target, market.priceStep, 'near').toFixed(),
    });
  }
  const quoteOf = (volume: number) => (settings.volumeType === 'base' ? volume * p0.toNumber() : volume);
  return {
    basePrice: p0.toFixed(),
    orders,
    totalCapital: round(
      settings.volumeType === 'base'
        ? orders.reduce((sum, order) => sum + order.volume, 0)
        : maxCapital(
            quoteOf(settings.baseOrderVolume),
            quoteOf(settings.safetyOrderVolume),
            settings.volumeScale,
            settings.maxSafetyOrders,
          ),
      8,
    ),
    totalCost: cumulativeCost.toDecimalPlaces(8).toFixed(),
    maxDeviation: round(
      cumulativeDeviation(settings.priceDeviation, settings.stepScale, settings.maxSafetyOrders),
      6,
    ),
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
