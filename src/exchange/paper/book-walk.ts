import type { BookLevel } from '../../market/market-types';
import { Money } from '../../platform/decimal/money';

/** Levels of the simulated book a market order may walk. */
export const BOOK_DEPTH = 50;

export interface BookFill {
  price: Money;
  amount: Money;
}

/**
 * The paper fill model: takes liquidity level by level up to `amount` (and not beyond `limit` when
 * given). A market order larger than the visible book fills its rest at the last level's price. The
 * paper exchange and backtests both fill through this.
 */
export function walkBook(
  side: 'buy' | 'sell',
  levels: readonly BookLevel[],
  amount: Money,
  limit: Money | null,
): BookFill[] {
  const fills: BookFill[] = [];
  let left = amount;
  for (const [levelPrice, levelAmount] of levels) {
    if (left.lte(0)) break;
    const price = new Money(levelPrice);
    if (limit && (side === 'buy' ? price.gt(limit) : price.lt(limit))) break;
    const take = Money.min(left, levelAmount);
    fills.push({ price, amount: take });
    left = left.minus(take);
  }
  if (left.gt(0) && !limit && levels.length > 0)
    fills.push({ price: new Money(levels[levels.length - 1][0]), amount: left });
  return fills;
}
