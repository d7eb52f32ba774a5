import { canMove, isFinal, OrderStatus, statusOf } from './order-status';

describe('order state machine', () => {
  it('moves forward from PENDING_SUBMIT and UNKNOWN, never out of a final state', () => {
    expect(canMove(OrderStatus.PENDING_SUBMIT, OrderStatus.OPEN)).toBe(true);
    expect(canMove(OrderStatus.PENDING_SUBMIT, OrderStatus.UNKNOWN)).toBe(true);
    expect(canMove(OrderStatus.UNKNOWN, OrderStatus.FILLED)).toBe(true);
    expect(canMove(OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)).toBe(true);
    expect(canMove(OrderStatus.PARTIALLY_FILLED, OrderStatus.OPEN)).toBe(false);
    expect(canMove(OrderStatus.OPEN, OrderStatus.PENDING_SUBMIT)).toBe(false);
    expect(canMove(OrderStatus.REJECTED, OrderStatus.CANCELED)).toBe(false);
    for (const final of [
      OrderStatus.FILLED,
      OrderStatus.CANCELED,
      OrderStatus.REJECTED,
      OrderStatus.EXPIRED,
    ]) {
      expect(isFinal(final)).toBe(true);
      expect(canMove(final, OrderStatus.OPEN)).toBe(false);
      expect(canMove(final, final)).toBe(true);
    }
    expect(isFinal(OrderStatus.UNKNOWN)).toBe(false);
  });

  it('lets the exchange reject an order from any state that is not final', () => {
    for (const status of Object.values(OrderStatus).filter((status) => !isFinal(status)))
      expect([status, canMove(status, OrderStatus.REJECTED)]).toEqual([status, true]);
  });

  it("maps the exchange's statuses, telling partial fills from untouched open orders", () => {
    expect(statusOf({ status: 'open', filled: '0' })).toBe(OrderStatus.OPEN);
    expect(statusOf({ status: 'open', filled: '0.5' })).toBe(OrderStatus.PARTIALLY_FILLED);
    expect(statusOf({ status: 'closed', filled: '1' })).toBe(OrderStatus.FILLED);
    expect(statusOf({ status: 'canceled', filled: '0.2' })).toBe(OrderStatus.CANCELED);
    expect(statusOf({ status: 'expired', filled: '0' })).toBe(OrderStatus.EXPIRED);
    expect(statusOf({ status: 'rejected', filled: '0' })).toBe(OrderStatus.REJECTED);
  });
});
