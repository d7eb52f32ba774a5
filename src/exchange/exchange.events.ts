/** Events of the exchange module. */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    /** The paper matcher filled or triggered a resting order (after its transaction committed). */
    'paper.order.changed': { paperAccountId: string; clientOrderId: string; symbol: string };
  }
}

export {};
