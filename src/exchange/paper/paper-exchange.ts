import { ExchangeFailure } from '../exchange-errors';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, MoreThanOrEqual } from 'typeorm';
import { SimulatedQuotes } from '../../market/simulated-quotes';
import type { BookLevel } from '../../market/market-types';
import { SimulatedPair } from '../../market/simulated-universe';
import { Timeframe } from '../../market/timeframes';
import { Clock } from '../../platform/time/clock';
import {
  Candle,
  ExchangeBalance,
  ExchangeOrder,
  ExchangePort,
  ExchangeTrade,
  MarketInfo,
  OrderBook,
  OrderReference,
  PlaceOrderRequest,
  Ticker,
} from '../exchange-port';
import { BOOK_DEPTH, walkBook } from './book-walk';
import { PaperBalance } from './paper-balance.entity';
import { PaperFill } from './paper-fill.entity';
import { PaperLedger } from './paper-ledger';
import { money, PaperFees, text } from './paper-money';
import { orderAmount, orderPrice } from './paper-order-terms';
import { PaperOrder } from './paper-order.entity';
import { toExchangeOrder, toExchangeTrade } from './paper-views';
import { errorMessage } from '../../platform/errors/error-message';
import { updateRow } from '../../platform/database/update-row';

/**
 * The paper exchange, for one account: orders execute against the simulated market's order book
 * (market orders walk it, so big orders slip), limit orders rest until the market crosses them, stop
 * orders become market orders at their trigger; maker and taker fees in the quote currency. Balances,
 * orders and fills are stored in one transaction per change, so a restart resumes exactly.
 */
export class PaperExchange implements ExchangePort {
  readonly exchangeId = 'paper';
  private readonly ledger: PaperLedger;

  constructor(
    readonly accountId: string,
    private readonly dataSource: DataSource,
    private readonly quotes: SimulatedQuotes,
    private readonly clock: Clock,
    private readonly fees: PaperFees,
  ) {
    this.ledger = new PaperLedger(accountId, clock, fees);
  }

  markets(): Promise<MarketInfo[]> {
    return Promise.resolve(
      this.quotes.pairs.map((pair) => ({
        symbol: pair.symbol,
        base: pair.base,
        quote: pair.quote,
        active: true,
        amountStep: text(money(pair.stepSize)),
        priceStep: text(money(pair.tickSize)),
        minAmount: text(money(pair.stepSize)),
        minNotional: text(money(pair.minNotional)),
        makerFee: this.fees.maker,
        takerFee: this.fees.taker,
      })),
    );
  }

  async balances(): Promise<ExchangeBalance[]> {
    const rows = await this.dataSource
      .getRepository(PaperBalance)
      .find({ where: { accountId: this.accountId }, order: { currency: 'ASC' } });
    return rows.map((row) => ({
      currency: row.currency,
      free: text(money(row.free)),
      used: text(money(row.used)),
      total: text(money(row.free).plus(row.used)),
    }));
  }

  serverTime(): Promise<number> {
    return Promise.resolve(this.clock.nowMs());
  }

  // async: an unknown symbol rejects the promise like any exchange call, rather than throwing.
  async ticker(symbol: string): Promise<Ticker> {
    return this.quotes.ticker(this.pairIndex(this.pair(symbol)), this.clock.nowMs());
  }

  async orderBook(symbol: string, depth: number): Promise<OrderBook> {
    return this.quotes.orderBook(this.pairIndex(this.pair(symbol)), this.clock.nowMs(), depth);
  }

  async ohlcv(symbol: string, timeframe: Timeframe, since: number, limit: number): Promise<Candle[]> {
    const index = this.pairIndex(this.pair(symbol));
    return this.quotes.candles(index, timeframe, since, limit, this.clock.nowMs());
  }

  createOrder(request: PlaceOrderRequest): Promise<ExchangeOrder> {
    return this.dataSource.transaction((manager) => this.createOrderIn(manager, request));
  }

  /**
   * Places an order in the caller's transaction, so that the trading core can record it with the
   * booking: both are written, or neither. Refusals (ExchangeFailure) come before anything is written.
   */
  async createOrderIn(manager: EntityManager, request: PlaceOrderRequest): Promise<ExchangeOrder> {
    const pair = this.pair(request.symbol);
    const amount = orderAmount(pair, request.amount);
    const price = request.type === 'limit' ? orderPrice(pair, request.price, 'price') : null;
    const stopPrice = request.type === 'stop' ? orderPrice(pair, request.stopPrice, 'stopPrice') : null;
    const reference =
      price ?? stopPrice ?? money(this.quotes.priceAt(this.pairIndex(pair), this.clock.nowMs()));
    if (amount.times(reference).lt(pair.minNotional)) {
      throw new ExchangeFailure(
        'invalid_order',
        `order value ${text(amount.times(reference))} ${pair.quote} is below the minimum of ${pair.minNotional}`,
      );
    }
    const order = Object.assign(new PaperOrder(), {
      id: randomUUID(),
      accountId: this.accountId,
      clientOrderId: request.clientOrderId,
      symbol: pair.symbol,
      side: request.side,
      type: request.type,
      status: 'open',
      amount: text(amount),
      price: price ? text(price) : null,
      stopPrice: stopPrice ? text(stopPrice) : null,
      filled: '0',
      cost: '0',
      fee: '0',
      feeCurrency: pair.quote,
      reserved: '0',
      rejectReason: null,
    });
    const balances = await this.ledger.lock(manager, pair);
    let fills: PaperFill[] = [];
    try {
      if (request.type === 'market') {
        const taken = walkBook(request.side, this.book(pair, request.side), amount, null);
        this.ledger.assertAffordable(pair, request.side, taken, balances);
        fills = this.ledger.applyFills(order, pair, taken, true, balances);
      } else if (request.type === 'limit') {
        const taken = walkBook(request.side, this.book(pair, request.side), amount, price);
        this.ledger.assertAffordable(pair, request.side, taken, balances, {
          amount,
          price: price!,
          feeRate: this.fees.maker,
        });
        if (taken.length > 0) fills = this.ledger.applyFills(order, pair, taken, true, balances);
        if (order.status === 'open') this.ledger.reserve(order, pair, balances);
      } else {
        // A stop holds what it would sell or spend from the moment it is placed, as exchanges do.
        this.ledger.assertAffordable(pair, request.side, [], balances, {
          amount,
          price: stopPrice!,
          feeRate: this.fees.taker,
        });
        this.ledger.reserve(order, pair, balances);
      }
    } catch (error) {
      // A repeated request for an order placed before is answered with it, whatever the balance is now.
      const existing = await this.existing(manager, request.clientOrderId);
      if (existing) return existing;
      throw error;
    }
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(PaperOrder)
      .values(order)
      .orIgnore()
      .returning(['createdAt', 'updatedAt'])
      .updateEntity(false)
      .execute();
    const stamps = (inserted.raw as Array<{ created_at: Date; updated_at: Date }>)[0];
    if (!stamps) {
      // The client order id is taken: the order was placed before (the booking is dropped unwritten).
      const existing = await this.existing(manager, request.clientOrderId);
      if (existing) return existing;
      throw new ExchangeFailure('invalid_order', 'duplicate client order id');
    }
    order.createdAt = new Date(stamps.created_at);
    order.updatedAt = new Date(stamps.updated_at);
    await this.ledger.write(manager, balances, fills);
    return { ...toExchangeOrder(order), trades: fills.map(toExchangeTrade) };
  }

  async cancelOrder(id: string, symbol: string): Promise<ExchangeOrder> {
    const pair = this.pair(symbol);
    return this.dataSource.transaction(async (manager) => {
      const order = await manager.findOne(PaperOrder, {
        where: { id, accountId: this.accountId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!order || order.symbol !== pair.symbol)
        throw new ExchangeFailure('order_not_found', 'order not found');
      if (order.status !== 'open')
        throw new ExchangeFailure('invalid_order', `order is ${order.status} and cannot be canceled`);
      const balances = await this.ledger.lock(manager, pair);
      this.ledger.release(order, pair, balances);
      order.status = 'canceled';
      await this.ledger.write(manager, balances);
      await this.updateOrder(manager, order);
      return toExchangeOrder(order);
    });
  }

  async fetchOrder(reference: OrderReference, symbol: string): Promise<ExchangeOrder> {
    const where = reference.id
      ? { id: reference.id, accountId: this.accountId }
      : { clientOrderId: reference.clientOrderId ?? '', accountId: this.accountId };
    const order = await this.dataSource.getRepository(PaperOrder).findOneBy(where);
    if (!order || order.symbol !== this.pair(symbol).symbol)
      throw new ExchangeFailure('order_not_found', 'order not found');
    return toExchangeOrder(order);
  }

  async fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]> {
    const orders = await this.dataSource.getRepository(PaperOrder).find({
      where: {
        accountId: this.accountId,
        status: 'open',
        ...(symbol ? { symbol: this.pair(symbol).symbol } : {}),
      },
      order: { createdAt: 'ASC' },
    });
    return orders.map((order) => toExchangeOrder(order));
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<ExchangeTrade[]> {
    const fills = await this.dataSource.getRepository(PaperFill).find({
      where: {
        accountId: this.accountId,
        ...(symbol ? { symbol: this.pair(symbol).symbol } : {}),
        ...(since !== undefined ? { at: MoreThanOrEqual(new Date(since)) } : {}),
      },
      order: { at: 'ASC' },
    });
    return fills.map((fill) => toExchangeTrade(fill));
  }

  /**
   * Fills this account's resting orders that the market has reached: a limit buy when the best ask is
   * at or below its price (filled at its price, as maker), a stop when the last price passes its
   * trigger (then a market order). Returns how many orders changed; `onChanged` hears of each after
   * its transaction committed.
   */
  async matchOpenOrders(
    onChanged?: (order: { clientOrderId: string; symbol: string }) => void,
  ): Promise<number> {
    const open = await this.dataSource
      .getRepository(PaperOrder)
      .find({ where: { accountId: this.accountId, status: 'open', type: In(['limit', 'stop']) } });
    let changed = 0;
    for (const candidate of open) {
      const pair = this.pair(candidate.symbol);
      const now = this.clock.nowMs();
      const book = this.quotes.orderBook(this.pairIndex(pair), now, 1);
      const last = money(this.quotes.priceAt(this.pairIndex(pair), now));
      const limitCrossed =
        candidate.type === 'limit' &&
        (candidate.side === 'buy'
          ? money(book.asks[0][0]).lte(candidate.price!)
          : money(book.bids[0][0]).gte(candidate.price!));
      const stopTriggered =
        candidate.type === 'stop' &&
        (candidate.side === 'buy' ? last.gte(candidate.stopPrice!) : last.lte(candidate.stopPrice!));
      if (!limitCrossed && !stopTriggered) continue;
      const updated = await this.dataSource.transaction(async (manager) => {
        const order = await manager.findOne(PaperOrder, {
          where: { id: candidate.id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!order || order.status !== 'open') return false;
        const balances = await this.ledger.lock(manager, pair);
        const remaining = money(order.amount).minus(order.filled);
        // Filled or triggered: what it held is free again (for the market order a stop becomes).
        this.ledger.release(order, pair, balances);
        let fills: PaperFill[] = [];
        if (order.type === 'limit') {
          fills = this.ledger.applyFills(
            order,
            pair,
            [{ price: money(order.price!), amount: remaining }],
            false,
            balances,
          );
        } else {
          const taken = walkBook(order.side, this.book(pair, order.side), remaining, null);
          try {
            this.ledger.assertAffordable(pair, order.side, taken, balances);
            fills = this.ledger.applyFills(order, pair, taken, true, balances);
          } catch (error) {
            order.status = 'rejected';
            order.rejectReason = `stop triggered: ${errorMessage(error)}`.slice(0, 200);
          }
        }
        await this.ledger.write(manager, balances, fills);
        await this.updateOrder(manager, order);
        return true;
      });
      if (updated) {
        changed++;
        onChanged?.({ clientOrderId: candidate.clientOrderId, symbol: candidate.symbol });
      }
    }
    return changed;
  }

  /** The order placed before under this client order id, with its fills, as createOrder answers. */
  private async existing(manager: EntityManager, clientOrderId: string): Promise<ExchangeOrder | undefined> {
    const order = await manager.findOneBy(PaperOrder, { accountId: this.accountId, clientOrderId });
    if (!order) return undefined;
    const fills = await manager.find(PaperFill, {
      where: { orderId: order.id },
      order: { at: 'ASC', id: 'ASC' },
    });
    return { ...toExchangeOrder(order), trades: fills.map(toExchangeTrade) };
  }

  /** Writes an order's changed state (one statement) and takes its new update time. */
  private updateOrder(manager: EntityManager, order: PaperOrder): Promise<void> {
    const { status, filled, cost, fee, reserved, rejectReason } = order;
    return updateRow(manager, PaperOrder, order, { status, filled, cost, fee, reserved, rejectReason });
  }

  private pair(symbol: string): SimulatedPair {
    const pair = this.quotes.pairs.find((candidate) => candidate.symbol === symbol);
    if (!pair)
      throw new ExchangeFailure('bad_symbol', `paper exchange does not have market symbol ${symbol}`);
    return pair;
  }

  private pairIndex(pair: SimulatedPair): number {
    return this.quotes.pairs.indexOf(pair);
  }

  /** The side of the book an order takes from: asks for a buy, bids for a sell. */
  private book(pair: SimulatedPair, side: 'buy' | 'sell'): BookLevel[] {
    const book = this.quotes.orderBook(this.pairIndex(pair), this.clock.nowMs(), BOOK_DEPTH);
    return side === 'buy' ? book.asks : book.bids;
  }
}
