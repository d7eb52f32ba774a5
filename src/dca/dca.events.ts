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
  }
}

export {};
