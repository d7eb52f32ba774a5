import type { ExchangeOrder } from '../exchange/exchange-port';

/**
 * One state machine for paper and live orders. PENDING_SUBMIT is written before the exchange is
 * called; UNKNOWN means the exchange's answer was lost and reconciliation has to look the order up.
 */
export enum OrderStatus {
  PENDING_SUBMIT = 'PENDING_SUBMIT',
  OPEN = 'OPEN',
  PARTIALLY_FILLED = 'PARTIALLY_FILLED',
  FILLED = 'FILLED',
  CANCELED = 'CANCELED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  UNKNOWN = 'UNKNOWN',
}

export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set([
  OrderStatus.FILLED,
  OrderStatus.CANCELED,
  OrderStatus.REJECTED,
  OrderStatus.EXPIRED,
]);

/** Orders reconciliation looks up on their exchange. */
export const UNSETTLED_STATUSES: readonly OrderStatus[] = [
  OrderStatus.PENDING_SUBMIT,
  OrderStatus.OPEN,
  OrderStatus.PARTIALLY_FILLED,
  OrderStatus.UNKNOWN,
];

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  [OrderStatus.PENDING_SUBMIT]: [
    OrderStatus.OPEN,
    OrderStatus.PARTIALLY_FILLED,
    OrderStatus.FILLED,
    OrderStatus.CANCELED,
    OrderStatus.REJECTED,
    OrderStatus.EXPIRED,
    OrderStatus.UNKNOWN,
  ],
  [OrderStatus.UNKNOWN]: [
    OrderStatus.OPEN,
    OrderStatus.PARTIALLY_FILLED,
    OrderStatus.FILLED,
    OrderStatus.CANCELED,
    OrderStatus.REJECTED,
    OrderStatus.EXPIRED,
  ],
  // A resting order may still be refused by its exchange (a stop triggered without the funds to fill).
  [OrderStatus.OPEN]: [
    OrderStatus.PARTIALLY_FILLED,
    OrderStatus.FILLED,
    OrderStatus.CANCELED,
    OrderStatus.REJECTED,
    OrderStatus.EXPIRED,
  ],
  [OrderStatus.PARTIALLY_FILLED]: [
    OrderStatus.FILLED,
    OrderStatus.CANCELED,
    OrderStatus.REJECTED,
    OrderStatus.EXPIRED,
  ],
  [OrderStatus.FILLED]: [],
  [OrderStatus.CANCELED]: [],
  [OrderStatus.REJECTED]: [],
  [OrderStatus.EXPIRED]: [],
};

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** Whether an order may move from one status to another (staying is always allowed). */
export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || NEXT[from].includes(to);
}

/** Our status for what the exchange reports. */
export function statusOf(order: Pick<ExchangeOrder, 'status' | 'filled'>): OrderStatus {
  switch (order.status) {
    case 'open':
      return Number(order.filled) > 0 ? OrderStatus.PARTIALLY_FILLED : OrderStatus.OPEN;
    case 'closed':
      return OrderStatus.FILLED;
    case 'canceled':
      return OrderStatus.CANCELED;
    case 'expired':
      return OrderStatus.EXPIRED;
    case 'rejected':
      return OrderStatus.REJECTED;
  }
}
