import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ExchangeOrder, ExchangePort, ExchangeTrade } from '../exchange/exchange-port';
import { Money } from '../platform/decimal/money';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus, EventName } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { Outbox } from '../platform/outbox/outbox';
import { Clock } from '../platform/time/clock';
import { updateRow } from '../platform/database/update-row';
import { Fill } from './fill.entity';
import { Order } from './order.entity';
import { canMove, isFinal, OrderStatus, statusOf } from './order-status';
import { toFillView, toOrderDto } from './order-view';
import { TradeChange, TradeLedger } from './trade-ledger';
import { toTradeDto } from './trade-view';

/**
 * Writes what happened to an order: the exchange's report (status, amounts, fees and new fills) or a
 * settlement without one (rejected, unknown), with its trade's accounting, in one transaction; the
 * order and position events follow once it has committed.
 */
@Injectable()
export class OrderRecorder {
  private readonly logger = new Logger('Orders');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: TradeLedger,
    private readonly events: EventBus,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Moves an order to a status without exchange data (rejected, unknown), with its event. */
  async settle(id: string, status: OrderStatus, reason: string): Promise<Order> {
    const result = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(Order, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current || !canMove(current.status, status) || current.status === status) return undefined;
      return this.settleWithin(manager, current, status, reason);
    });
    if (!result) return this.get(id);
    this.publish(result);
    return result.order;
  }

  /**
   * `settle` in the caller's transaction, for an order it holds (written or locked in it); the caller
   * publishes the outcome once the transaction has committed.
   */
  async settleWithin(
    manager: EntityManager,
    current: Order,
    status: OrderStatus,
    reason: string,
  ): Promise<RecordedChange> {
    const previous = current.status;
    current.status = status;
    current.statusReason = reason.slice(0, 300);
    if (isFinal(status)) current.closedAt = new Date(this.clock.nowMs());
    const order = await manager.save(current);
    const trade = await this.ledger.record(manager, order, []);
    await this.toOutbox(manager, trade, undefined);
    return { order, previous, newFills: [], trade, settled: true };
  }

  /**
   * Applies what the exchange says of an order: status, amounts, fees and its new fills, in one
   * transaction. `known` is the order as the caller just read or wrote it, saving a lookup.
   */
  async apply(id: string, reported: ExchangeOrder, exchange: ExchangePort, known?: Order): Promise<Order> {
    const before = known ?? (await this.get(id));
    // Exchange reads happen outside the transaction (the paper exchange uses its own connection).
    // Recorded fills and `filled` change together, so only a larger filled amount can bring new fills.
    const trades: ExchangeTrade[] =
      new Money(reported.filled).gt(before.filled) && reported.id
        ? (
            reported.trades ??
            (await exchange.fetchMyTrades(before.symbol, before.createdAt.getTime() - 60_000))
          ).filter((trade) => trade.orderId === reported.id)
        : [];
    const feeQuotes = await this.feesInQuote(before.symbol, trades, exchange);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(Order, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw ApiError.notFound(`No order ${id}`);
      return this.record(manager, current, reported, trades, feeQuotes);
    });
    this.publish(outcome);
    return outcome.order;
  }

  /**
   * `apply` in the caller's transaction, for an order it wrote in it (so no one else can hold it), with
   * the exchange's report carrying its fills; the caller publishes the outcome once it has committed.
   */
  async applyWithin(
    manager: EntityManager,
    current: Order,
    reported: ExchangeOrder,
    exchange: ExchangePort,
  ): Promise<RecordedChange> {
    const trades = new Money(reported.filled).gt(current.filled)
      ? (reported.trades ?? []).filter((trade) => trade.orderId === reported.id)
      : [];
    return this.record(
      manager,
      current,
      reported,
      trades,
      await this.feesInQuote(current.symbol, trades, exchange),
    );
  }

  /** The order and position events of a recorded change, after its transaction has committed. */
  publish(change: RecordedChange): void {
    if (change.settled)
      this.events.publish('order.updated', { order: toOrderDto(change.order), newFills: [] });
    else this.publishChange(change.order, change.previous, change.newFills);
    this.publishTradeChange(change.trade, change.newFills[change.newFills.length - 1]);
  }

  /** Writes an exchange report of `current` (locked or written in this transaction) with its new fills. */
  private async record(
    manager: EntityManager,
    current: Order,
    reported: ExchangeOrder,
    trades: ExchangeTrade[],
    feeQuotes: Array<string | null>,
  ): Promise<RecordedChange> {
    const id = current.id;
    const previous = current.status;
    const next = statusOf(reported);
    if (!canMove(previous, next))
      return {
        order: current,
        previous,
        newFills: [] as Fill[],
        trade: undefined as TradeChange | undefined,
      };
    let newFills: Fill[] = [];
    if (trades.length > 0) {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(Fill)
        .values(
          trades.map((trade, index) => ({
            orderId: id,
            exchangeTradeId: trade.id || `${reported.id}-${trade.timestamp}`,
            symbol: current.symbol,
            side: trade.side,
            price: trade.price,
            amount: trade.amount,
            cost: trade.cost,
            fee: trade.fee.cost,
            feeCurrency: trade.fee.currency,
            feeQuote: feeQuotes[index],
            takerOrMaker: trade.takerOrMaker,
            executedAt: new Date(trade.timestamp),
          })),
        )
        .orIgnore()
        .returning('*')
        .execute();
      newFills = (inserted.raw as Array<Record<string, unknown>>).map((row) =>
        manager.create(Fill, {
          id: row.id as string,
          orderId: id,
          exchangeTradeId: row.exchange_trade_id as string,
          price: String(row.price),
          amount: String(row.amount),
          cost: String(row.cost),
          fee: String(row.fee),
          feeCurrency: row.fee_currency as string,
          feeQuote: row.fee_quote === null ? null : String(row.fee_quote as string),
          takerOrMaker: row.taker_or_maker as 'taker' | 'maker',
          executedAt: new Date(row.executed_at as string),
        }),
      );
    }
    // With nothing filled before, the order has no fills but the new ones: no need to sum the stored.
    const feeSum = new Money(current.filled).isZero()
      ? {
          fee: newFills.reduce((sum, fill) => sum.plus(fill.fee), new Money(0)).toFixed(),
          currency: newFills.reduce<string | null>(
            (max, fill) => (max === null || fill.feeCurrency > max ? fill.feeCurrency : max),
            null,
          ),
        }
      : await manager
          .createQueryBuilder(Fill, 'fill')
          .select('COALESCE(SUM(fill.fee), 0)', 'fee')
          .addSelect('MAX(fill.feeCurrency)', 'currency')
          .where('fill.orderId = :id', { id })
          .getRawOne<{ fee: string; currency: string | null }>();
    const written = writtenFields(current);
    const now = new Date(this.clock.nowMs());
    const filled = Money.max(current.filled, reported.filled);
    current.status = next;
    current.statusReason =
      next === OrderStatus.REJECTED
        ? `rejected by the exchange${reported.rejectReason ? `: ${reported.rejectReason}` : ''}`.slice(0, 300)
        : null;
    current.exchangeOrderId = reported.id || current.exchangeOrderId;
    // Amounts change only when their value does: the stored text (0.000000000000000000) and the
    // exchange's (0) differ for equal values, and a changed text is a write of the row.
    const setAmount = (field: 'filled' | 'cost' | 'fee', value: Money) => {
      if (!value.eq(current[field])) current[field] = value.toFixed();
    };
    setAmount('filled', filled);
    setAmount('cost', new Money(reported.cost));
    const average =
      reported.average ??
      (filled.gt(0) ? new Money(reported.cost).div(filled).toFixed() : current.averagePrice);
    if (average === null || current.averagePrice === null || !new Money(average).eq(current.averagePrice))
      current.averagePrice = average;
    const fillFee = new Money(feeSum?.fee ?? 0);
    setAmount('fee', fillFee.gt(0) ? fillFee : new Money(reported.fee.cost));
    current.feeCurrency = feeSum?.currency ?? (reported.fee.currency || current.feeCurrency);
    current.submittedAt ??= now;
    if (next === OrderStatus.FILLED) current.filledAt ??= now;
    if (isFinal(next)) current.closedAt ??= now;
    const saved = await this.writeChanges(manager, current, written);
    const trade = await this.ledger.record(manager, saved, newFills);
    if (next === OrderStatus.FILLED && previous !== OrderStatus.FILLED)
      await this.outbox.add(manager, 'order.filled', { order: toOrderDto(saved) });
    await this.toOutbox(manager, trade, newFills[newFills.length - 1]);
    return { order: saved, previous, newFills, trade };
  }

  /**
   * Each fill's fee in the pair's quote currency. A fee in a third currency (BNB) is valued at that
   * currency's own price on the same exchange, read once per currency; null when it has none now.
   */
  private async feesInQuote(
    symbol: string,
    trades: ExchangeTrade[],
    exchange: ExchangePort,
  ): Promise<Array<string | null>> {
    const [base, quote] = symbol.split('/');
    const prices = new Map<string, Promise<number | null>>();
    const priceOf = (currency: string) => {
      let price = prices.get(currency);
      if (!price) {
        price = exchange.ticker(`${currency}/${quote}`).then(
          (ticker) => ticker.last,
          (error: unknown) => {
            this.logger.warn(`fee in ${currency} not valued in ${quote}: ${errorMessage(error)}`);
            return null;
          },
        );
        prices.set(currency, price);
      }
      return price;
    };
    return Promise.all(
      trades.map(async ({ fee, price }) => {
        const amount = new Money(fee.cost);
        if (fee.currency === quote || fee.currency === '' || amount.isZero()) return amount.toFixed();
        if (fee.currency === base) return amount.times(price).toFixed();
        const rate = await priceOf(fee.currency);
        return rate === null ? null : amount.times(rate).toFixed();
      }),
    );
  }

  /** Position events after the order events of the same change. */
  private publishTradeChange(change: TradeChange | undefined, lastFill: Fill | undefined): void {
    if (!change) return;
    const payload = { position: toTradeDto(change.trade, lastFill ? Number(lastFill.price) : null) };
    for (const name of positionEventsOf(change)) this.events.publish(name, payload);
  }

  /** A trade opened or closed, for the webhooks, in the transaction that recorded it. */
  private async toOutbox(
    manager: EntityManager,
    change: TradeChange | undefined,
    lastFill: Fill | undefined,
  ) {
    if (!change) return;
    const names = positionEventsOf(change);
    const position = () => toTradeDto(change.trade, lastFill ? Number(lastFill.price) : null);
    if (names.includes('position.opened'))
      await this.outbox.add(manager, 'trade.opened', { position: position() });
    if (names.includes('position.closed'))
      await this.outbox.add(manager, 'trade.closed', { position: position() });
  }

  private publishChange(order: Order, previous: OrderStatus, fills: Fill[]): void {
    const next = order.status;
    const names: EventName[] = [];
    const wasPending = previous === OrderStatus.PENDING_SUBMIT || previous === OrderStatus.UNKNOWN;
    if (wasPending && next !== OrderStatus.REJECTED && next !== OrderStatus.UNKNOWN)
      names.push('order.placed');
    if (next === OrderStatus.FILLED && previous !== OrderStatus.FILLED) names.push('order.filled');
    else if (next === OrderStatus.CANCELED && previous !== OrderStatus.CANCELED) names.push('order.canceled');
    else if ((next !== previous && !(wasPending && next === OrderStatus.OPEN)) || fills.length > 0)
      names.push('order.updated');
    if (names.length === 0) return;
    const payload = { order: toOrderDto(order), newFills: fills.map(toFillView) };
    for (const name of names) this.events.publish(name as 'order.placed', payload);
  }
  /** Writes the fields `apply` changed since `written` (nothing when none did), in one statement. */
  private async writeChanges(manager: EntityManager, order: Order, written: WrittenFields): Promise<Order> {
    const now = writtenFields(order);
    const changed = (Object.keys(now) as Array<keyof WrittenFields>).filter(
      (field) => !sameValue(now[field], written[field]),
    );
    if (changed.length === 0) return order;
    await updateRow(manager, Order, order, Object.fromEntries(changed.map((field) => [field, now[field]])));
    return order;
  }

  private async get(id: string): Promise<Order> {
    const order = await this.dataSource.getRepository(Order).findOneBy({ id });
    if (!order) throw ApiError.notFound(`No order ${id}`);
    return order;
  }
}

/** What one transaction recorded of an order, for the events that follow its commit. */
export interface RecordedChange {
  order: Order;
  previous: OrderStatus;
  newFills: Fill[];
  trade: TradeChange | undefined;
  /** Settled without exchange data (rejected, unknown): told as an update. */
  settled?: boolean;
}

/** The order fields an exchange report may change. */
type WrittenFields = Pick<
  Order,
  | 'status'
  | 'statusReason'
  | 'exchangeOrderId'
  | 'filled'
  | 'cost'
  | 'averagePrice'
  | 'fee'
  | 'feeCurrency'
  | 'submittedAt'
  | 'filledAt'
  | 'closedAt'
>;

function writtenFields(order: Order): WrittenFields {
  const { status, statusReason, exchangeOrderId, filled, cost, averagePrice, fee, feeCurrency } = order;
  const { submittedAt, filledAt, closedAt } = order;
  return {
    status,
    statusReason,
    exchangeOrderId,
    filled,
    cost,
    averagePrice,
    fee,
    feeCurrency,
    submittedAt,
    filledAt,
    closedAt,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

/** What a trade's change means for its position: opened, updated or closed (opened and closed at once too). */
function positionEventsOf({
  trade,
  previous,
}: TradeChange): Array<'position.opened' | 'position.updated' | 'position.closed'> {
  const names: Array<'position.opened' | 'position.updated' | 'position.closed'> = [];
  if (previous === 'OPENING' && trade.status !== 'CANCELED') names.push('position.opened');
  if (trade.status === 'CLOSED' && previous !== 'CLOSED') names.push('position.closed');
  else if (trade.status !== 'CANCELED' && previous !== 'OPENING') names.push('position.updated');
  return names;
}
