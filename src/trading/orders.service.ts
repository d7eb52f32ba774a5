import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Between, DataSource, In, LessThan, Like, MoreThanOrEqual, Repository } from 'typeorm';
import { ExchangeFailure, toApiError } from '../exchange/exchange-errors';
import type {
  ExchangeOrder,
  ExchangePort,
  OrderSide,
  OrderType,
  PlaceOrderRequest,
} from '../exchange/exchange-port';
import { PaperExchange } from '../exchange/paper/paper-exchange';
import { normalizeSymbol, requireSymbol } from '../market/symbols';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Money } from '../platform/decimal/money';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { Clock } from '../platform/time/clock';
import { OrderQueryDto } from './dto/order.dto';
import { Fill } from './fill.entity';
import { Order } from './order.entity';
import { OrderRecorder, RecordedChange } from './order-recorder.service';
import { preTradeCheck } from './pre-trade-check';
import { isFinal, OrderStatus, UNSETTLED_STATUSES } from './order-status';
import { openAmount } from './trade-view';
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
  /** Without an exchange account: the paper account (by name) to trade on; default: the default one. */
  paperAccount?: string;
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
 * UNKNOWN until reconciliation finds it by client order id. What the exchange answers is written
 * by OrderRecorder (fills and status in one transaction, events after it commits).
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
    private readonly recorder: OrderRecorder,
    private readonly events: EventBus,
    private readonly settings: RuntimeSettings,
    private readonly clock: Clock,
  ) {}

  /** Our orders among an account's exchange order ids, by exchange order id (what a sync links to). */
  async byExchangeOrderIds(accountId: string, exchangeOrderIds: string[]): Promise<Map<string, string>> {
    if (exchangeOrderIds.length === 0) return new Map();
    const rows = await this.orders.find({
      select: { id: true, exchangeOrderId: true },
      where: { accountId, exchangeOrderId: In(exchangeOrderIds) },
    });
    return new Map(rows.map((row) => [row.exchangeOrderId!, row.id]));
  }

  /** Symbols Tradeplane placed orders in on the account. */
  async symbolsOrdered(accountId: string): Promise<string[]> {
    const rows: Array<{ symbol: string }> = await this.orders
      .createQueryBuilder('o')
      .select('DISTINCT o.symbol', 'symbol')
      .where('o.accountId = :accountId', { accountId })
      .getRawMany();
    return rows.map((row) => row.symbol);
  }

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

  /** A trade's orders, oldest first. */
  ofTrade(tradeId: string): Promise<Order[]> {
    return this.orders.find({ where: { tradeId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Whether an order with this client id (ours, without the prefix) was written. */
  hasClientOrderId(clientOrderId: string): Promise<boolean> {
    return this.orders.existsBy({ clientOrderId: `${CLIENT_ORDER_PREFIX}${clientOrderId}` });
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
    if (!this.settings.section('trading').enabled && !EXIT_INTENTS.has(origin.intent ?? ''))
      throw new ApiError(409, ErrorCode.TRADING_DISABLED, 'Trading is disabled: no new orders are accepted');
    const target = await this.venues.resolve(input.accountId, input.paperAccount);
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
      if (target.exchange instanceof PaperExchange) return await this.placeOnPaper(order, target.exchange);
      await this.orders.insert(order);
      return await this.submit(order, target.exchange);
    } finally {
      this.inFlight.delete(id);
    }
  }

  /**
   * On the paper exchange, which books in this same database, the order is written with its booking in
   * one transaction: both or neither, so nothing can be sent and not recorded, and an order costs one
   * commit instead of three. A refusal is recorded as the rejected order, as from any exchange.
   */
  private async placeOnPaper(order: Order, paper: PaperExchange): Promise<Order> {
    // A failure of the database rolls it all back: nothing was written, so the order may be sent again.
    const { change, refusal } = await this.dataSource.transaction(
      async (manager): Promise<{ change: RecordedChange; refusal?: ExchangeFailure }> => {
        await manager.insert(Order, order);
        let acknowledgement: ExchangeOrder;
        try {
          acknowledgement = await paper.createOrderIn(manager, this.requestOf(order));
        } catch (error) {
          if (!(error instanceof ExchangeFailure && error.definite)) throw error;
          const reason = error.message.slice(0, 280);
          return {
            change: await this.recorder.settleWithin(manager, order, OrderStatus.REJECTED, reason),
            refusal: error,
          };
        }
        return { change: await this.recorder.applyWithin(manager, order, acknowledgement, paper) };
      },
    );
    this.recorder.publish(change);
    if (refusal) throw toApiError(refusal);
    return change.order;
  }

  private requestOf(order: Order): PlaceOrderRequest {
    return {
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      amount: order.amount,
      ...(order.price !== null ? { price: order.price } : {}),
      ...(order.stopPrice !== null ? { stopPrice: order.stopPrice } : {}),
      clientOrderId: order.clientOrderId,
    };
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
      return await this.recorder.apply(id, result, exchange);
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
      return await this.recorder.apply(id, found, exchange);
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
      return this.recorder.settle(id, OrderStatus.REJECTED, 'not found on the exchange: it never reached it');
    }
  }

  /** Sends a written order once. A definite refusal rejects it; anything else leaves it UNKNOWN and looks it up. */
  private async submit(order: Order, exchange: ExchangePort): Promise<Order> {
    let acknowledgement: ExchangeOrder;
    try {
      acknowledgement = await exchange.createOrder(this.requestOf(order));
    } catch (error) {
      const message = error instanceof Error ? error.message.slice(0, 280) : 'exchange error';
      const definite = error instanceof ExchangeFailure && error.definite;
      if (definite) {
        await this.recorder.settle(order.id, OrderStatus.REJECTED, message);
        throw toApiError(error);
      }
      this.logger.warn(`order ${order.id}: the exchange's answer was lost (${message}); looking it up`);
      await this.recorder.settle(order.id, OrderStatus.UNKNOWN, `answer lost: ${message}`);
      this.inFlight.delete(order.id);
      return this.reconcile(order.id);
    }
    return this.recorder.apply(order.id, acknowledgement, exchange, order);
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
