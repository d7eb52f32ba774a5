import Decimal from 'decimal.js';

/** Exact decimal arithmetic for money, printed without exponents. Amounts are stored as numeric. */
export const Money = Decimal.clone({
  precision: 40,
  toExpNeg: -40,
  toExpPos: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
});
export type Money = InstanceType<typeof Money>;

/**
 * A decimal as a JSON number, rounded to 8 places: exact sums and quotients (an average price of
 * 27.770375666…) and float differences (2.360000000000582) print as a market would show them.
 */
export function decimalNumber(value: Money | string | number, places = 8): number {
  return new Money(value).toDecimalPlaces(places).toNumber();
}
