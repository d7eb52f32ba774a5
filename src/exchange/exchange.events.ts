/** Events of the exchange module. */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    /** The paper matcher filled or triggered a resting order (after its transaction committed). */
    'paper.order.changed': { paperAccountId: string; clientOrderId: string; symbol: string };
    /**
     * An exchange account's API stopped answering (3 network failures in a row), refused its
     * credentials, or answered again after either.
     */
    'exchange.reachability': {
      accountId: string;
      exchangeId: string;
      state: 'unreachable' | 'auth_failed' | 'reachable';
      error: string | null;
    };
  }
}

export {};
