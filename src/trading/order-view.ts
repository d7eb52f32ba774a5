import { decimalNumber, Money } from '../platform/decimal/money';
import { lastChange } from '../platform/time/last-change';
import { OrderDetailDto, OrderDto } from './dto/order.dto';
import { Fill } from './fill.entity';
import { Order } from './order.entity';
import { FillView } from './trading.events';

/** What the API and the events show of orders and their fills. */
export function toOrderDto(order: Order): OrderDto {
  const amount = decimalNumber(order.amount);
  const averagePrice = order.averagePrice === null ? null : decimalNumber(order.averagePrice);
  return {
    id: order.id,
    clientOrderId: order.clientOrderId,
    exchangeOrderId: order.exchangeOrderId,
    venue: order.venue,
    accountId: order.accountId,
    exchange: order.exchangeId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    amount,
    qty: amount,
    price: order.price !== null ? decimalNumber(order.price) : averagePrice,
    stopPrice: order.stopPrice === null ? null : decimalNumber(order.stopPrice),
    status: order.status,
    statusReason: order.statusReason,
    filled: decimalNumber(order.filled),
    remaining: decimalNumber(new Money(order.amount).minus(order.filled)),
    averagePrice,
    cost: decimalNumber(order.cost),
    fees: decimalNumber(order.fee),
    feeCurrency: order.feeCurrency,
    intent: order.intent,
    tradeId: order.tradeId,
    botId: order.botId,
    createdAt: order.createdAt.toISOString(),
    submittedAt: order.submittedAt?.toISOString() ?? null,
    filledAt: order.filledAt?.toISOString() ?? null,
    closedAt: order.closedAt?.toISOString() ?? null,
    updatedAt: lastChange(order.updatedAt, order.submittedAt, order.filledAt, order.closedAt).toISOString(),
  };
}

/** An order with its fills, oldest first. */
export function toOrderDetailDto(order: Order, fills: Fill[]): OrderDetailDto {
  return {
    ...toOrderDto(order),
    fills: fills.map((fill) => ({
      id: fill.id,
      price: decimalNumber(fill.price),
      amount: decimalNumber(fill.amount),
      cost: decimalNumber(fill.cost),
      fee: decimalNumber(fill.fee),
      feeCurrency: fill.feeCurrency,
      takerOrMaker: fill.takerOrMaker,
      executedAt: fill.executedAt.toISOString(),
    })),
  };
}

export function toFillView(fill: Fill): FillView {
  return {
    id: fill.id,
    orderId: fill.orderId,
    price: fill.price,
    amount: fill.amount,
    cost: fill.cost,
    fee: fill.fee,
    feeCurrency: fill.feeCurrency,
    takerOrMaker: fill.takerOrMaker,
    executedAt: fill.executedAt.toISOString(),
  };
}
