import type { Ticker } from './market-types';

/** What the market announces. */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    /** The simulated market's ticker of one pair, every second. */
    ticker: Ticker;
  }
}
