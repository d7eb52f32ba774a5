import { ExchangeFailure } from '../exchange-errors';
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
import { BOOK_DEPTH, BookFill, walkBook } from './book-walk';
import { PaperBalance } from './paper-balance.entity';
import { PaperFill } from './paper-fill.entity';
import { PaperOrder } from './paper-order.entity';
import { Money } from '../../platform/decimal/money';
import { errorMessage } from '../../platform/errors/error-message';

export interface PaperFees {
  maker: string;
  taker: string;
}

type Fill = BookFill;

function money(value: string | number | Money): Money {
  return new Money(value);
}

function text(value: Money): string {
  return value.toString();
}

/**
 * The paper exchange, for one account: orders execute against the simulated market's order book
 * (market orders walk it, so big orders slip), limit orders rest until the market crosses them, stop
 * orders become market orders at their trigger; maker and taker fees in the quote currency. Balances,
 * orders and fills are stored in one transaction per change, so a restart resumes exactly.
 */
export class PaperExchange implements ExchangePort {
  readonly exchangeId = 'paper';

  constructor(
    readonly accountId: string,
    private readonly dataSource: DataSource,
    private readonly quotes: SimulatedQuotes,
    private readonly clock: Clock,
    private readonly fees: PaperFees,
  ) {}

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

  async createOrder(request: PlaceOrderRequest): Promise<ExchangeOrder> {
    const pair = this.pair(request.symbol);
    const amount = this.amountOf(pair, request.amount);
    const price = request.type === 'limit' ? this.priceOf(pair, request.price, 'price') : null;
    const stopPrice = request.type === 'stop' ? this.priceOf(pair, request.stopPrice, 'stopPrice') : null;
    const reference =
      price ?? stopPrice ?? money(this.quotes.priceAt(this.pairIndex(pair), this.clock.nowMs()));
    if (amount.times(reference).lt(pair.minNotional)) {
      throw new ExchangeFailure(
        'invalid_order',
        `order value ${text(amount.times(reference))} ${pair.quote} is below the minimum of ${pair.minNotional}`,
      );
    }
    return this.dataSource.transaction(async (manager) => {
      const existing = await manager.findOneBy(PaperOrder, {
        accountId: this.accountId,
        clientOrderId: request.clientOrderId,
      });
      if (existing) return this.toOrder(existing);
      const order = manager.create(PaperOrder, {
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
      const balances = await this.lockBalances(manager, pair);
      if (request.type === 'market') {
        const fills = walkBook(request.side, this.book(pair, request.side), amount, null);
        this.assertAffordable(pair, request.side, fills, balances);
        await manager.save(order);
        await this.applyFills(manager, order, pair, fills, true, balances);
      } else if (request.type === 'limit') {
        const fills = walkBook(request.side, this.book(pair, request.side), amount, price);
        this.assertAffordable(pair, request.side, fills, balances, {
          amount,
          price: price!,
          feeRate: this.fees.maker,
        });
        await manager.save(order);
        if (fills.length > 0) await this.applyFills(manager, order, pair, fills, true, balances);
        if (order.status === 'open') await this.reserve(manager, order, pair, balances);
      } else {
        // A stop holds what it would sell or spend from the moment it is placed, as exchanges do.
        this.assertAffordable(pair, request.side, [], balances, {
          amount,
          price: stopPrice!,
          feeRate: this.fees.taker,
        });
        await manager.save(order);
        await this.reserve(manager, order, pair, balances);
      }
      return this.toOrder(order);
    });
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
      const balances = await this.lockBalances(manager, pair);
      await this.release(manager, order, pair, balances);
      order.status = 'canceled';
      await manager.save(order);
      return this.toOrder(order);
    });
  }

  async fetchOrder(reference: OrderReference, symbol: string): Promise<ExchangeOrder> {
    const where = reference.id
      ? { id: reference.id, accountId: this.accountId }
      : { clientOrderId: reference.clientOrderId ?? '', accountId: this.accountId };
    const order = await this.dataSource.getRepository(PaperOrder).findOneBy(where);
    if (!order || order.symbol !== this.pair(symbol).symbol)
      throw new ExchangeFailure('order_not_found', 'order not found');
    return this.toOrder(order);
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
    return orders.map((order) => this.toOrder(order));
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
    return fills.map((fill) => this.toTrade(fill));
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
        const balances = await this.lockBalances(manager, pair);
        const remaining = money(order.amount).minus(order.filled);
        if (order.type === 'limit') {
          await this.release(manager, order, pair, balances);
          await this.applyFills(
            manager,
            order,
            pair,
            [{ price: money(order.price!), amount: remaining }],
            false,
            balances,
          );
          return true;
        }
        // Triggered: what it held is free again for the market order it becomes.
        await this.release(manager, order, pair, balances);
        const fills = walkBook(order.side, this.book(pair, order.side), remaining, null);
        try {
          this.assertAffordable(pair, order.side, fills, balances);
        } catch (error) {
          order.status = 'rejected';
          order.rejectReason = `stop triggered: ${errorMessage(error)}`.slice(0, 200);
          await manager.save(order);
          return true;
        }
        await this.applyFills(manager, order, pair, fills, true, balances);
        return true;
      });
      if (updated) {
        changed++;
        onChanged?.({ clientOrderId: candidate.clientOrderId, symbol: candidate.symbol });
      }
    }
    return changed;
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

  /** Amount rounded down to the market's step; refused when nothing is left. */
  private amountOf(pair: SimulatedPair, raw: string): Money {
    let value: Money;
    try {
      value = money(raw);
    } catch {
      throw new ExchangeFailure('invalid_order', `amount ${raw} is not a number`);
    }
    const step = money(pair.stepSize);
    const rounded = value.div(step).floor().times(step);
    if (!value.isFinite() || rounded.lte(0))
      throw new ExchangeFailure('invalid_order', `amount must be at least ${text(step)} ${pair.base}`);
    return rounded;
  }

  private priceOf(pair: SimulatedPair, raw: string | undefined, field: string): Money {
    if (raw === undefined)
      throw new ExchangeFailure('invalid_order', `${field} is required for this order type`);
    let value: Money;
    try {
      value = money(raw);
    } catch {
      throw new ExchangeFailure('invalid_order', `${field} ${raw} is not a number`);
    }
    const tick = money(pair.tickSize);
    const rounded = value.div(tick).round().times(tick);
    if (!value.isFinite() || rounded.lte(0))
      throw new ExchangeFailure('invalid_order', `${field} must be positive`);
    return rounded;
  }

  /** The side of the book an order takes from: asks for a buy, bids for a sell. */
  private book(pair: SimulatedPair, side: 'buy' | 'sell'): BookLevel[] {
    const book = this.quotes.orderBook(this.pairIndex(pair), this.clock.nowMs(), BOOK_DEPTH);
    return side === 'buy' ? book.asks : book.bids;
  }

  private async lockBalances(
    manager: EntityManager,
    pair: SimulatedPair,
  ): Promise<Map<string, PaperBalance>> {
    const rows = await manager.find(PaperBalance, {
      where: { accountId: this.accountId, currency: In([pair.base, pair.quote]) },
      lock: { mode: 'pessimistic_write' },
    });
    const balances = new Map(rows.map((row) => [row.currency, row]));
    for (const currency of [pair.base, pair.quote]) {
      if (!balances.has(currency))
        balances.set(
          currency,
          manager.create(PaperBalance, { accountId: this.accountId, currency, free: '0', used: '0' }),
        );
    }
    return balances;
  }

  /** Refuses, before anything changes, an order the free balance cannot pay for. */
  private assertAffordable(
    pair: SimulatedPair,
    side: 'buy' | 'sell',
    fills: Fill[],
    balances: Map<string, PaperBalance>,
    resting?: { amount: Money; price: Money; feeRate: string },
  ): void {
    if (side === 'buy') {
      const takerCost = fills.reduce((sum, fill) => sum.plus(fill.price.times(fill.amount)), money(0));
      const filledAmount = fills.reduce((sum, fill) => sum.plus(fill.amount), money(0));
      const restingCost = resting
        ? resting.amount.minus(filledAmount).times(resting.price).times(money(1).plus(resting.feeRate))
        : money(0);
      const needed = takerCost.times(money(1).plus(this.fees.taker)).plus(restingCost);
      const free = money(balances.get(pair.quote)!.free);
      if (needed.gt(free))
        throw new ExchangeFailure(
          'insufficient_funds',
          `needs ${text(needed)} ${pair.quote}, ${text(free)} free`,
        );
    } else {
      const needed = resting ? resting.amount : fills.reduce((sum, fill) => sum.plus(fill.amount), money(0));
      const free = money(balances.get(pair.base)!.free);
      if (needed.gt(free))
        throw new ExchangeFailure(
          'insufficient_funds',
          `needs ${text(needed)} ${pair.base}, ${text(free)} free`,
        );
    }
  }

  /** Books fills: balances, the order's totals and the fill rows, in the caller's transaction. */
  private async applyFills(
    manager: EntityManager,
    order: PaperOrder,
    pair: SimulatedPair,
    fills: Fill[],
    taker: boolean,
    balances: Map<string, PaperBalance>,
  ): Promise<void> {
    const feeRate = money(taker ? this.fees.taker : this.fees.maker);
    const base = balances.get(pair.base)!;
    const quote = balances.get(pair.quote)!;
    const at = this.clock.now();
    for (const fill of fills) {
      const cost = fill.price.times(fill.amount);
      const fee = cost.times(feeRate);
      if (order.side === 'buy') {
        quote.free = text(money(quote.free).minus(cost).minus(fee));
        base.free = text(money(base.free).plus(fill.amount));
      } else {
        base.free = text(money(base.free).minus(fill.amount));
        quote.free = text(money(quote.free).plus(cost).minus(fee));
      }
      order.filled = text(money(order.filled).plus(fill.amount));
      order.cost = text(money(order.cost).plus(cost));
      order.fee = text(money(order.fee).plus(fee));
      await manager.insert(PaperFill, {
        orderId: order.id,
        accountId: this.accountId,
        symbol: pair.symbol,
        side: order.side,
        price: text(fill.price),
        amount: text(fill.amount),
        cost: text(cost),
        fee: text(fee),
        feeCurrency: pair.quote,
        taker,
        at,
      });
    }
    if (money(order.filled).gte(order.amount)) order.status = 'closed';
    await manager.save([base, quote]);
    await manager.save(order);
  }

  /**
   * Holds what a resting order may spend: quote for a buy (at its limit with the maker fee, or at its
   * stop with the taker fee), base for a sell.
   */
  private async reserve(
    manager: EntityManager,
    order: PaperOrder,
    pair: SimulatedPair,
    balances: Map<string, PaperBalance>,
  ): Promise<void> {
    const remaining = money(order.amount).minus(order.filled);
    const currency = order.side === 'buy' ? pair.quote : pair.base;
    const amount =
      order.side === 'buy'
        ? order.type === 'stop'
          ? remaining.times(order.stopPrice!).times(money(1).plus(this.fees.taker))
          : remaining.times(order.price!).times(money(1).plus(this.fees.maker))
        : remaining;
    const balance = balances.get(currency)!;
    balance.free = text(money(balance.free).minus(amount));
    balance.used = text(money(balance.used).plus(amount));
    order.reserved = text(amount);
    await manager.save(balance);
    await manager.save(order);
  }

  private async release(
    manager: EntityManager,
    order: PaperOrder,
    pair: SimulatedPair,
    balances: Map<string, PaperBalance>,
  ): Promise<void> {
    const held = money(order.reserved);
    if (held.isZero()) return;
    const balance = balances.get(order.side === 'buy' ? pair.quote : pair.base)!;
    balance.free = text(money(balance.free).plus(held));
    balance.used = text(money(balance.used).minus(held));
    order.reserved = '0';
    await manager.save(balance);
    await manager.save(order);
  }

  private toOrder(order: PaperOrder): ExchangeOrder {
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

  private toTrade(fill: PaperFill): ExchangeTrade {
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
}
