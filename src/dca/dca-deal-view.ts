import { decimalNumber, Money } from '../platform/decimal/money';
import type { Order } from '../trading/order.entity';
import type { Trade } from '../trading/trade.entity';
import { openAmount } from '../trading/trade-view';
import type { DcaDeal } from './dca-deal.entity';
import { rungOf } from './dca-rungs';
import type { DealDetailDto, DealDto, DealRungDto } from './dto/dca-deal.dto';

const numberOrNull = (value: string | null | undefined) => (value ? decimalNumber(value) : null);

export function toDealDto(deal: DcaDeal, trade: Trade | null, bid: number | null): DealDto {
  const bought = trade ? new Money(trade.entryAmount) : new Money(0);
  const average = trade && bought.gt(0) ? new Money(trade.entryCost).div(bought) : null;
  const held = trade ? openAmount(trade) : new Money(0);
  return {
    id: deal.id,
    botId: deal.botId,
    symbol: deal.symbol,
    venue: deal.venue,
    accountId: deal.accountId,
    status: deal.status,
    settings: deal.settings,
    tradeId: deal.tradeId,
    basePrice: numberOrNull(deal.basePrice),
    averageEntry: average ? decimalNumber(average) : null,
    boughtAmount: decimalNumber(bought),
    boughtVolume: trade ? decimalNumber(trade.entryCost) : 0,
    openAmount: decimalNumber(held),
    safetyOrdersFilled: deal.safetyOrdersFilled,
    takeProfitPrice: numberOrNull(deal.takeProfitPrice),
    realizedPnl: trade ? decimalNumber(trade.realizedPnl) : 0,
    unrealizedPnl:
      average && bid !== null && held.gt(0) ? decimalNumber(new Money(bid).minus(average).times(held)) : null,
    closeReason: deal.closeReason,
    createdAt: deal.createdAt.toISOString(),
    closedAt: deal.closedAt ? deal.closedAt.toISOString() : null,
  };
}

/** The deal with its ladder: every rung planned or placed, with its order's state. */
export function toDealDetailDto(
  deal: DcaDeal,
  trade: Trade | null,
  orders: Order[],
  bid: number | null,
): DealDetailDto {
  const rungs: DealRungDto[] = [];
  const byRung = new Map<string, Order>();
  for (const order of orders) {
    const rung = rungOf(deal, order);
    if (rung) byRung.set(`${rung.kind}${rung.n}`, order);
  }
  const actual = (order: Order | undefined) => ({
    orderId: order?.id ?? null,
    status: order?.status ?? null,
    price: order ? numberOrNull(order.averagePrice ?? order.price) : null,
    filled: order ? decimalNumber(order.filled) : null,
  });
  const base = byRung.get('b0');
  rungs.push({
    kind: 'base',
    index: 0,
    step: null,
    plannedPrice: null,
    plannedAmount: base ? decimalNumber(base.amount) : null,
    ...actual(base),
  });
  for (const planned of deal.ladder)
    rungs.push({
      kind: 'safety',
      index: planned.index,
      step: null,
      plannedPrice: decimalNumber(planned.price),
      plannedAmount: decimalNumber(planned.amount),
      ...actual(byRung.get(`s${planned.index}`)),
    });
  for (let k = 1; byRung.has(`f${k}`); k++) {
    const order = byRung.get(`f${k}`)!;
    rungs.push({
      kind: 'add_funds',
      index: k,
      step: null,
      plannedPrice: null,
      plannedAmount: decimalNumber(order.amount),
      ...actual(order),
    });
  }
  // Take-profit orders by generation (each safety fill replaces them) and step.
  const takeProfits = orders
    .map((order) => ({ order, rung: rungOf(deal, order) }))
    .filter((entry) => entry.rung?.kind === 't')
    .sort((a, b) => a.rung!.n - b.rung!.n || a.rung!.step - b.rung!.step);
  for (const { order, rung } of takeProfits)
    rungs.push({
      kind: 'take_profit',
      index: rung!.n,
      step: rung!.step,
      plannedPrice: numberOrNull(order.price),
      plannedAmount: decimalNumber(order.amount),
      ...actual(order),
    });
  return { ...toDealDto(deal, trade, bid), ladder: rungs };
}
