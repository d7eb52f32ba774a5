import type { DealStatus } from './dca-deal.entity';
import type { DcaEventType } from './dca-deals.service';

/** What DCA deals announce (the `dca` WebSocket topic, by event). */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    'dca.deal': {
      event: DcaEventType;
      dealId: string;
      botId: string | null;
      symbol: string;
      status: DealStatus;
      [detail: string]: unknown;
    };
    /** A manual DCA order on a trade (DCA_EXECUTED on `dca`). */
    'dca.executed': { tradeId: string; dcaAttempt: number; orderId: string; status: string; reason: string };
  }
}

export {};
