import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Between, DataSource, In, LessThan, Like, MoreThanOrEqual, Repository } from 'typeorm';
import { ExchangeFailure, toApiError } from '../exchange/exchange-errors';
import type {
  ExchangeOrder,
  ExchangePort,
  ExchangeTrade,
  OrderSide,
  OrderType,
} from '../exchange/exchange-port';
import { normalizeSymbol, requireSymbol } from '../market/symbols';
import { AppConfig } from '../platform/config/app-config';
import { Money } from '../platform/decimal/money';
import { EventBus, EventName } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { Clock } from '../platform/time/clock';
import { OrderQueryDto } from './dto/order.dto';
import { Fill } from './fill.entity';
import { Order } from './order.entity';
import { preTradeCheck } from './pre-trade-check';
import { toFillView, toOrderDto } from './order-view';
import { canMove, isFinal, OrderStatus, statusOf, UNSETTLED_STATUSES } from './order-status';
import { TradeChange, TradeLedger } from './trade-ledger';
import { openAmount, toTradeDto } from './trade-view';
import { Trade } from './trade.entity';
import { TradingVenues } from './trading-venues.service';
import { errorMessage } from '../platform/errors/error-message';

export interface PlaceOrderInput {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  /** Decimal strings. */
  amount: string;
  price?: string;
  stopPrice?: string;
  /** The caller's own id; sent to the exchange with our prefix. */
  clientOrderId?: string;
  /** An exchange account; default: the paper account. */
  accountId?: string;
}

export interface OrderOrigin {
  createdBy: string | null;
  intent?: string;
  tradeId?: string;
  botId?: string;
  /** The exit closes all of its trade (not part of it). */
  closesTrade?: boolean;
}

/** Intents that close exposure: allowed while trading is disabled. */
const EXIT_INTENTS = new Set(['exit', 'stop_loss', 'take_profit']);
/** An UNKNOWN order not found on its exchange after this long never reached it. */
const UNKNOWN_GRACE_MS = 60_000;
/** Our prefix of client order ids: orders with it found on an exchange are ours. */
export const CLIENT_ORDER_PREFIX = 'tp-';

/**
 * The trading core's orders, on the paper exchange or a live one, through one state machine. An
 * order is committed as PENDING_SUBMIT before the exchange is called; a lost answer leaves it
 * UNKNOWN until reconciliation finds it by client order id. Fills and status change in one
 * transaction; events are published after it commits.
 */
@Injectable()
export class OrdersService implements OnModuleInit {
  private readonly logger = new Logger('Orders');
  /** Orders this process is sending right now: reconciliation leaves them alone. */
  private readonly inFlight = new Set<string>();

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly venues: TradingVenues,
    private readonly ledger: TradeLedger,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // The paper matcher filled a resting order: bring ours up to date at once.
    this.events.on('paper.order.changed', (change) => {
      this.orders
        .findOneBy({ venue: 'paper', clientOrderId: change.clientOrderId })
        .then((order) => (order ? this.reconcile(order.id) : undefined))
        .catch((error: unknown) =>
          this.logger.warn(`paper sync of ${change.clientOrderId} failed: ${String(error)}`),
        );
    });
  }

  async fillsOf(orderId: string): Promise<Fill[]> {
    return this.dataSource
      .getRepository(Fill)
      .find({ where: { orderId }, order: { executedAt: 'ASC', id: 'ASC' } });
  }

  async get(id: string): Promise<Order> {
    const order = await this.orders.findOneBy({ id });
    if (!order) throw ApiError.notFound(`No order ${id}`);
    return order;
  }

  /** A bot's orders that may still fill (open, partly filled, not yet answered). */
  async unsettledOfBot(botId: string): Promise<Order[]> {
    return this.orders.find({
      where: { botId, status: In([...UNSETTLED_STATUSES]) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async list(query: OrderQueryDto): Promise<{ items: Order[]; total: number }> {
    const symbol = query.symbol === undefined ? undefined : requireSymbol(query.symbol);
    const from = query.startDate ? new Date(query.startDate) : undefined;
    const to = query.endDate ? new Date(query.endDate) : undefined;
    const created =
      from && to ? Between(from, to) : from ? MoreThanOrEqual(from) : to ? LessThan(to) : undefined;
    const [items, total] = await this.orders.findAndCount({
      where: {
        ...(query.status ? { status: query.status } : {}),
        ...(symbol ? { symbol } : {}),
        ...(query.side ? { side: query.side } : {}),
        ...(query.tradeId ? { tradeId: query.tradeId } : {}),
        ...(created ? { createdAt: created } : {}),
      },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  async place(input: PlaceOrderInput, origin: OrderOrigin): Promise<Order> {
    if (!this.config.trading.enabled && !EXIT_INTENTS.has(origin.intent ?? ''))
      throw new ApiError(409, ErrorCode.TRADING_DISABLED, 'Trading is disabled: no new orders are accepted');
    const target = await this.venues.resolve(input.accountId);
    // Coins behind open trades are theirs: a plain sell may not take them and leave a trade unclosable.
    const heldByTrades =
      input.side === 'sell' && !origin.tradeId
        ? await this.heldByOpenTrades(target.accountId, input.symbol)
        : new Money(0);
    const checked = await preTradeCheck(target.exchange, input, heldByTrades);
    const id = randomUUID();
    const clientOrderId = `${CLIENT_ORDER_PREFIX}${input.clientOrderId ?? id.replace(/-/g, '')}`;
    if (input.clientOrderId && (await this.orders.existsBy({ clientOrderId })))
      throw ApiError.conflict(`An order with clientOrderId ${input.clientOrderId} already exists`);
    const order = this.orders.create({
      id,
      clientOrderId,
      venue: target.venue,
      accountId: target.accountId,
      exchangeId: target.exchange.exchangeId,
      symbol: checked.symbol,
      side: input.side,
      type: input.type,
      amount: checked.amount,
      price: checked.price ?? null,
      stopPrice: checked.stopPrice ?? null,
      status: OrderStatus.PENDING_SUBMIT,
      statusReason: null,
      exchangeOrderId: null,
      filled: '0',
      averagePrice: null,
      cost: '0',
      fee: '0',
      feeCurrency: null,
      intent: origin.intent ?? null,
      tradeId: origin.tradeId ?? null,
      closesTrade: origin.closesTrade ?? false,
      botId: origin.botId ?? null,
      createdBy: origin.createdBy,
      submittedAt: null,
      filledAt: null,
      closedAt: null,
      // The app's clock, not the database server's: fills are looked up from this moment on, and the
      // exchange's fills carry the app's (or the exchange's) time.
      createdAt: this.clock.now(),
    });
    this.inFlight.add(id);
    try {
      await this.orders.insert(order);
      return await this.submit(order, target.exchange);
    } finally {
      this.inFlight.delete(id);
    }
  }

  async cancel(id: string): Promise<Order> {
    let order = await this.get(id);
    if (!isFinal(order.status) && !order.exchangeOrderId) order = await this.reconcile(id);
    if (isFinal(order.status)) throw ApiError.conflict(`Order ${id} is already ${order.status}`);
    if (!order.exchangeOrderId)
      throw ApiError.conflict(
        `Order ${id} is ${order.status}: not known to the exchange yet, try again shortly`,
      );
    const exchange = await this.venues.of(order);
    try {
      const result = await exchange.cancelOrder(order.exchangeOrderId, order.symbol);
      return await this.apply(id, result, exchange);
    } catch (error) {
      if (
        error instanceof ExchangeFailure &&
        (error.kind === 'order_not_found' || error.kind === 'invalid_order')
      ) {
        const fresh = await this.reconcile(id);
        if (isFinal(fresh.status)) throw ApiError.conflict(`Order ${id} is already ${fresh.status}`);
      }
      throw toApiError(error);
    }
  }

  /**
   * Brings one order up to date with its exchange, looked up by exchange id or client order id. An
   * order that never reached the exchange (not found, not being sent, or UNKNOWN for over a minute)
   * becomes REJECTED. Failures to reach the exchange leave the order as it is.
   */
  async reconcile(id: string): Promise<Order> {
    const order = await this.get(id);
    if (isFinal(order.status) || this.inFlight.has(id)) return order;
    let exchange: ExchangePort;
    try {
      exchange = await this.venues.of(order);
      const found = await exchange.fetchOrder(
        order.exchangeOrderId
          ? { id: order.exchangeOrderId, clientOrderId: order.clientOrderId }
          : { clientOrderId: order.clientOrderId },
        order.symbol,
      );
      return await this.apply(id, found, exchange);
    } catch (error) {
      if (!(error instanceof ExchangeFailure && error.kind === 'order_not_found')) {
        this.logger.warn(`reconciling order ${id} failed: ${errorMessage(error)}`);
        return order;
      }
      const age = this.clock.nowMs() - order.createdAt.getTime();
      const neverSent =
        order.status === OrderStatus.PENDING_SUBMIT ||
        (order.status === OrderStatus.UNKNOWN && age > UNKNOWN_GRACE_MS);
      if (!neverSent || order.exchangeOrderId) return order;
      return this.settle(id, OrderStatus.REJECTED, 'not found on the exchange: it never reached it');
    }
  }

  /** Sends a written order once. A definite refusal rejects it; anything else leaves it UNKNOWN and looks it up. */
  private async submit(order: Order, exchange: ExchangePort): Promise<Order> {
    let acknowledgement: ExchangeOrder;
    try {
      acknowledgement = await exchange.createOrder({
        symbol: order.symbol,
        side: order.side,
        type: order.type,
        amount: order.amount,
        ...(order.price !== null ? { price: order.price } : {}),
        ...(order.stopPrice !== null ? { stopPrice: order.stopPrice } : {}),
        clientOrderId: order.clientOrderId,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message.slice(0, 280) : 'exchange error';
      const definite = error instanceof ExchangeFailure && error.definite;
      if (definite) {
        await this.settle(order.id, OrderStatus.REJECTED, message);
        throw toApiError(error);
      }
      this.logger.warn(`order ${order.id}: the exchange's answer was lost (${message}); looking it up`);
      await this.settle(order.id, OrderStatus.UNKNOWN, `answer lost: ${message}`);
      this.inFlight.delete(order.id);
      return this.reconcile(order.id);
    }
    return this.apply(order.id, acknowledgement, exchange);
  }

  /** Moves an order to a status without exchange data (rejected, unknown), with its event. */
  private async settle(id: string, status: OrderStatus, reason: string): Promise<Order> {
    const result = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(Order, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current || !canMove(current.status, status) || current.status === status) return undefined;
      current.status = status;
      current.statusReason = reason.slice(0, 300);
      if (isFinal(status)) current.closedAt = new Date(this.clock.nowMs());
      const order = await manager.save(current);
      return { order, trade: await this.ledger.record(manager, order, []) };
    });
    if (!result) return this.get(id);
    this.events.publish('order.updated', { order: toOrderDto(result.order), newFills: [] });
    this.publishTradeChange(result.trade, undefined);
    return result.order;
  }

  /** Applies what the exchange says of an order: status, amounts, fees and its new fills, in one transaction. */
  private async apply(id: string, reported: ExchangeOrder, exchange: ExchangePort): Promise<Order> {
    const before = await this.get(id);
    // Exchange reads happen outside the transaction (the paper exchange uses its own connection).
    // Recorded fills and `filled` change together, so only a larger filled amount can bring new fills.
    const trades: ExchangeTrade[] =
      new Money(reported.filled).gt(before.filled) && reported.id
        ? (await exchange.fetchMyTrades(before.symbol, before.createdAt.getTime() - 60_000)).filter(
            (trade) => trade.orderId === reported.id,
          )
        : [];
    const feeQuotes = await this.feesInQuote(before.symbol, trades, exchange);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(Order, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw ApiError.notFound(`No order ${id}`);
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
      const feeSum = await manager
        .createQueryBuilder(Fill, 'fill')
        .select('COALESCE(SUM(fill.fee), 0)', 'fee')
        .addSelect('MAX(fill.feeCurrency)', 'currency')
        .where('fill.orderId = :id', { id })
        .getRawOne<{ fee: string; currency: string | null }>();
      const now = new Date(this.clock.nowMs());
      const filled = Money.max(current.filled, reported.filled);
      current.status = next;
      current.statusReason =
        next === OrderStatus.REJECTED
          ? `rejected by the exchange${reported.rejectReason ? `: ${reported.rejectReason}` : ''}`.slice(
              0,
              300,
            )
          : null;
      current.exchangeOrderId = reported.id || current.exchangeOrderId;
      current.filled = filled.toFixed();
      current.cost = new Money(reported.cost).toFixed();
      current.averagePrice =
        reported.average ??
        (filled.gt(0) ? new Money(reported.cost).div(filled).toFixed() : current.averagePrice);
      const fillFee = new Money(feeSum?.fee ?? 0);
      current.fee = (fillFee.gt(0) ? fillFee : new Money(reported.fee.cost)).toFixed();
      current.feeCurrency = feeSum?.currency ?? (reported.fee.currency || current.feeCurrency);
      current.submittedAt ??= now;
      if (next === OrderStatus.FILLED) current.filledAt ??= now;
      if (isFinal(next)) current.closedAt ??= now;
      const saved = await manager.save(current);
      return { order: saved, previous, newFills, trade: await this.ledger.record(manager, saved, newFills) };
    });
    this.publishChange(outcome.order, outcome.previous, outcome.newFills);
    this.publishTradeChange(outcome.trade, outcome.newFills[outcome.newFills.length - 1]);
    return outcome.order;
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
    const { trade, previous } = change;
    const payload = { position: toTradeDto(trade, lastFill ? Number(lastFill.price) : null) };
    if (previous === 'OPENING' && trade.status !== 'CANCELED')
      this.events.publish('position.opened', payload);
    if (trade.status === 'CLOSED' && previous !== 'CLOSED') this.events.publish('position.closed', payload);
    else if (trade.status !== 'CANCELED' && previous !== 'OPENING')
      this.events.publish('position.updated', payload);
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

  /** The base coin of `symbol` that open long trades on the account still hold. */
  private async heldByOpenTrades(accountId: string, symbol: string): Promise<Money> {
    const base = normalizeSymbol(symbol)?.split('/')[0];
    if (!base) return new Money(0);
    const trades = await this.dataSource.getRepository(Trade).find({
      where: {
        accountId,
        side: 'long',
        status: In(['OPENING', 'OPEN', 'CLOSING']),
        symbol: Like(`${base}/%`),
      },
      select: { entryAmount: true, entryFeeBase: true, exitAmount: true },
    });
    return trades.reduce((sum, trade) => sum.plus(openAmount(trade)), new Money(0));
  }
}
