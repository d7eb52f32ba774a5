import type { DealStatus } from './dca-deal.entity';
import type { EventBus } from '../platform/events/event-bus';
import type { DcaDeal } from './dca-deal.entity';

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

export type DcaEventType =
  | 'DEAL_OPENED'
  | 'DEAL_UPDATED'
  | 'SAFETY_ORDER_PLACED'
  | 'SAFETY_ORDER_FILLED'
  | 'TAKE_PROFIT_UPDATED'
  | 'DEAL_CLOSED';

/** Announces a change of a deal (on the `dca` topic as the event's name). */
export function announceDeal(
  events: EventBus,
  event: DcaEventType,
  deal: DcaDeal,
  detail: Record<string, unknown> = {},
): void {
  events.publish('dca.deal', {
    event,
    dealId: deal.id,
    botId: deal.botId,
    symbol: deal.symbol,
    status: deal.status,
    ...detail,
  });
}
