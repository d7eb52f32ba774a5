import type { ReconciliationReport } from './order-reconciler.service';
import type { OrderDto } from './dto/order.dto';
import type { TradeDto } from './dto/trade.dto';

/** A fill new to the trading core, in the order event that brought it. */
export interface FillView {
  id: string;
  orderId: string;
  price: string;
  amount: string;
  cost: string;
  fee: string;
  feeCurrency: string;
  takerOrMaker: 'taker' | 'maker';
  executedAt: string;
}

export interface OrderEvent {
  order: OrderDto;
  /** Fills recorded by the change that raised this event (exact decimal strings). */
  newFills: FillView[];
}

export interface PositionEvent {
  /** The trade, with the last fill price as its current price. */
  position: TradeDto;
}

declare module '../platform/events/event-bus' {
  interface DomainEvents {
    'orders.reconciled': ReconciliationReport;
    /** The first entry fill: a position exists. */
    'position.opened': PositionEvent;
    /** More entry (DCA) or a partial exit filled, or stop loss / take profit changed. */
    'position.updated': PositionEvent;
    /** Fully exited. */
    'position.closed': PositionEvent;
    /** The exchange accepted the order (it may have filled at once: order.filled follows). */
    'order.placed': OrderEvent;
    /** Completely filled. */
    'order.filled': OrderEvent;
    'order.canceled': OrderEvent;
    /** Any other change: partial fill, rejected, expired, unknown. */
    'order.updated': OrderEvent;
  }
}
