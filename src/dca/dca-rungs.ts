import type { Order } from '../trading/order.entity';
import { isFinal, OrderStatus } from '../trading/order-status';
import { CLIENT_ORDER_PREFIX } from '../trading/orders.service';
import { Money } from '../platform/decimal/money';
import type { Trade } from '../trading/trade.entity';
import type { DcaDeal, DealSettings, DealStatus, TakeProfitStep } from './dca-deal.entity';

/** The rung of a deal's ladder an order is, from its client order id: base, safety n, take profit k. */
export function rungOf(deal: Pick<DcaDeal, 'orderKey'>, order: Pick<Order, 'clientOrderId'>) {
  const id = order.clientOrderId.startsWith(CLIENT_ORDER_PREFIX)
    ? order.clientOrderId.slice(CLIENT_ORDER_PREFIX.length)
    : order.clientOrderId;
  if (!id.startsWith(deal.orderKey)) return null;
  const match = /^([bstf])(\d*)(?:p(\d+))?(?:x(\d+))?$/.exec(id.slice(deal.orderKey.length));
  if (!match) return null;
  return {
    kind: match[1] as 'b' | 's' | 't' | 'f',
    n: match[2] ? Number(match[2]) : 0,
    /** A take-profit order's step (1 without steps). */
    step: match[3] ? Number(match[3]) : 1,
    /** A safety order placed again after its earlier order never reached the exchange (0: the first). */
    retry: match[4] ? Number(match[4]) : 0,
  };
}

export const isOpenOrder = (order: Order) => !isFinal(order.status);

/** The take-profit steps: the configured ones, or all of the position at `takeProfit`. */
export function stepsOf(settings: DealSettings): TakeProfitStep[] {
  return settings.takeProfitSteps?.length
    ? settings.takeProfitSteps
    : [{ amountPercent: 100, profitPercent: settings.takeProfit }];
}
/** An order that bought nothing and never will: not an attempt. */
export const failedAttempt = (order: Order) =>
  (order.status === OrderStatus.CANCELED || order.status === OrderStatus.REJECTED) &&
  new Money(order.filled).isZero();

/** Percent sizes are turned into quote by the caller; deals store quote or base. */
export function quoteOrBase(settings: DealSettings): 'quote' | 'base' {
  return settings.volumeType === 'base' ? 'base' : 'quote';
}

/** The state a deal ends in, from why it closed. */
export function closedStatusOf(reason: string | null): DealStatus {
  if (reason === 'stop_loss') return 'stop_loss_finished';
  if (reason === 'panic_sell' || reason === 'panic_exit' || reason === 'kill_switch') return 'panic_sold';
  return 'completed';
}

/**
 * The price `profitPercent` above the average entry (`total`), or where what is held would earn the
 * base order's cost times it (`base`).
 */
export function targetOf(deal: DcaDeal, trade: Trade, profitPercent = deal.settings.takeProfit): Money {
  const held = new Money(trade.entryAmount).minus(trade.entryFeeBase);
  const cost = new Money(trade.entryCost);
  const profit = profitPercent / 100;
  if (deal.settings.takeProfitType === 'base' && deal.basePrice) {
    const baseCost = new Money(deal.basePrice).times(new Money(trade.requestedAmount));
    return cost.plus(baseCost.times(profit)).div(held);
  }
  return cost.div(new Money(trade.entryAmount)).times(1 + profit);
}
