import { Money } from '../../platform/decimal/money';

/** Maker and taker fee rates of a paper account, as decimal fractions ("0.001" is 0.1 %). */
export interface PaperFees {
  maker: string;
  taker: string;
}

export function money(value: string | number | Money): Money {
  return new Money(value);
}

export function text(value: Money): string {
  return value.toString();
}
