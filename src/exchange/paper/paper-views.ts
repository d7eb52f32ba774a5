import { ExchangeOrder, ExchangeTrade } from '../exchange-port';
import { PaperFill } from './paper-fill.entity';
import { PaperOrder } from './paper-order.entity';
import { money, text } from './paper-money';

/** A stored paper order as the exchange port answers it. */
export function toExchangeOrder(order: PaperOrder): ExchangeOrder {
  const filled = money(order.filled);
  return {
    id: order.id,
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    amount: text(money(order.amount)),
    filled: text(filled),
    remaining: text(money(order.amount).minus(filled)),
    price: order.price === null ? null : text(money(order.price)),
    stopPrice: order.stopPrice === null ? null : text(money(order.stopPrice)),
    average: filled.isZero() ? null : text(money(order.cost).div(filled)),
    cost: text(money(order.cost)),
    fee: { cost: text(money(order.fee)), currency: order.feeCurrency },
    timestamp: order.createdAt.getTime(),
    lastUpdate: order.updatedAt.getTime(),
    ...(order.rejectReason ? { rejectReason: order.rejectReason } : {}),
  };
}

/** A stored paper fill as the exchange port answers it. */
export function toExchangeTrade(fill: PaperFill): ExchangeTrade {
  return {
    id: fill.id,
    orderId: fill.orderId,
    symbol: fill.symbol,
    side: fill.side,
    price: text(money(fill.price)),
    amount: text(money(fill.amount)),
    cost: text(money(fill.cost)),
    fee: { cost: text(money(fill.fee)), currency: fill.feeCurrency },
    takerOrMaker: fill.taker ? 'taker' : 'maker',
    timestamp: fill.at.getTime(),
  };
}
