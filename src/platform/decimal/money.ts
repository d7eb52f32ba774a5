import Decimal from 'decimal.js';

/** Exact decimal arithmetic for money, printed without exponents. Amounts are stored as numeric. */
export const Money = Decimal.clone({
  precision: 40,
  toExpNeg: -40,
  toExpPos: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
});
export type Money = InstanceType<typeof Money>;
