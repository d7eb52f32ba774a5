import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Between, In, LessThan, MoreThanOrEqual, Repository } from 'typeorm';
import { requireSymbol } from '../market/symbols';
import { TtlCache } from '../platform/cache/ttl-cache';
import { decimalNumber, Money } from '../platform/decimal/money';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { errorMessage } from '../platform/errors/error-message';
import { Clock } from '../platform/time/clock';
import { TradeDetailDto, TradeDto, TradeHistoryQueryDto, TradeQueryDto } from './dto/trade.dto';
import { Order } from './order.entity';
import { OrderStatus } from './order-status';
import { toOrderDto } from './order-view';
import { OrdersService } from './orders.service';
import { Trade, TradeStatus } from './trade.entity';
import { openAmount, toTradeDto } from './trade-view';
import { TradingVenues } from './trading-venues.service';

export interface OpenTradeInput {
  symbol: string;
  side: 'buy' | 'sell';
  amount: string;
  price?: string;
  stopLoss?: string;
  takeProfit?: string;
  dcaEnabled?: boolean;
  maxDcaAttempts?: number;
  accountId?: string;
  botId?: string;
  preset?: string;
  /** Who decided the trade: the API (a person or a script) or a bot. */
  source?: 'api' | 'bot';
}

const LIVE_STATUSES: TradeStatus[] = ['OPENING', 'OPEN', 'CLOSING'];
const EXIT_INTENT_OF: Record<string, string> = { stop_loss: 'stop_loss', take_profit: 'take_profit' };

/**
 * Trades (round trips) and positions (open trades): opened by placing an entry order, closed by an
 * exit order; their accounting follows the fills (TradeLedger). Stop loss and take profit are
 * watched by TradeGuard, which closes through here.
 */
@Injectable()
export class TradesService {
  private readonly logger = new Logger('Trades');
  private readonly prices: TtlCache<string, number>;

  constructor(
    @InjectRepository(Trade) private readonly trades: Repository<Trade>,
    @InjectRepository(Order) private readonly orderRows: Repository<Order>,
    private readonly orders: OrdersService,
    private readonly venues: TradingVenues,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {
    this.prices = new TtlCache(1000, 5000, () => clock.nowMs());
  }

  /** A bot's trades that are not closed yet (opening, open or closing), oldest first. */
  async liveOfBot(botId: string): Promise<Trade[]> {
    return this.trades.find({
      where: { botId, status: In(LIVE_STATUSES) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** A bot's trades closed at or after `since`, in the order they closed. */
  async closedOfBot(botId: string, since: Date = new Date(0)): Promise<Trade[]> {
    return this.trades.find({
      where: { botId, status: 'CLOSED', closedAt: MoreThanOrEqual(since) },
      order: { closedAt: 'ASC', id: 'ASC' },
    });
  }

  /** A bot's newest `limit` trades closed at or after `since`, in the order they closed. */
  async lastClosedOfBot(botId: string, since: Date, limit: number): Promise<Trade[]> {
    const newest = await this.trades.find({
      where: { botId, status: 'CLOSED', closedAt: MoreThanOrEqual(since) },
      order: { closedAt: 'DESC', id: 'DESC' },
      take: limit,
    });
    return newest.reverse();
  }

  async countOfBot(botId: string): Promise<number> {
    return this.trades.countBy({ botId });
  }

  async get(id: string): Promise<Trade> {
    const trade = await this.trades.findOneBy({ id });
    if (!trade) throw ApiError.notFound(`No trade ${id}`);
    return trade;
  }

  async open(input: OpenTradeInput, createdBy: string | null): Promise<Trade> {
    const target = await this.venues.resolve(input.accountId);
    if (input.side === 'sell' && target.venue === 'paper')
      throw ApiError.validation(
        'side: the paper exchange trades spot; a short trade needs a swap exchange account',
      );
    const symbol = requireSymbol(input.symbol);
    if (input.stopLoss !== undefined || input.takeProfit !== undefined) {
      // An unknown symbol is refused by the order's own checks; here only the levels are checked.
      const reference = input.price
        ? Number(input.price)
        : (await target.exchange.ticker(symbol).catch(() => undefined))?.last;
      if (reference !== undefined)
        this.checkLevels(
          input.side === 'buy' ? 'long' : 'short',
          reference,
          input.stopLoss,
          input.takeProfit,
        );
    }
    const id = randomUUID();
    await this.trades.insert({
      id,
      symbol,
      side: input.side === 'buy' ? 'long' : 'short',
      status: 'OPENING',
      venue: target.venue,
      accountId: target.accountId,
      exchangeId: target.exchange.exchangeId,
      mode: target.venue === 'paper' ? 'paper' : 'live',
      requestedAmount: input.amount,
      stopLoss: input.stopLoss ?? null,
      takeProfit: input.takeProfit ?? null,
      dcaEnabled: input.dcaEnabled ?? false,
      maxDcaAttempts: input.maxDcaAttempts ?? 0,
      botId: input.botId ?? null,
      preset: input.preset ?? null,
      source: input.source ?? 'api',
      createdBy,
    });
    try {
      await this.orders.place(
        {
          symbol,
          side: input.side,
          type: input.price ? 'limit' : 'market',
          amount: input.amount,
          ...(input.price ? { price: input.price } : {}),
          ...(input.accountId ? { accountId: input.accountId } : {}),
        },
        { createdBy, intent: 'entry', tradeId: id, ...(input.botId ? { botId: input.botId } : {}) },
      );
    } catch (error) {
      // Refused before any order was written: nothing happened, so no trade is left behind. (An order
      // the exchange rejected stays, with its trade CANCELED by the ledger.)
      if (!(await this.orderRows.existsBy({ tradeId: id }))) await this.trades.delete({ id });
      throw error;
    }
    return this.get(id);
  }

  /**
   * Closes all of a position, or `amount` of it, with a market order. A partial close may not leave
   * less than the market's minimum (nothing could sell it later); a position that is itself below the
   * minimum cannot be sold at all and is closed as dust (its coins stay in the account).
   */
  async close(id: string, reason: string, createdBy: string | null, amount?: string): Promise<Trade> {
    const trade = await this.get(id);
    if (trade.status !== 'OPEN')
      throw ApiError.conflict(`Trade ${id} is ${trade.status}: only an open position can be closed`);
    const open = openAmount(trade);
    const base = trade.symbol.split('/')[0];
    if (amount !== undefined && new Money(amount).gt(open))
      throw ApiError.validation(
        `amount: ${amount} ${base} is more than the position holds (${open.toFixed()} ${base}); leave it out to close all`,
      );
    const smallest = await this.smallestSellable(trade);
    if (smallest !== null && open.lt(smallest)) return this.closeAsDust(trade);
    const closing = amount === undefined ? open : new Money(amount);
    const partial = closing.lt(open);
    if (partial && smallest !== null && open.minus(closing).lt(smallest)) {
      const most = open.minus(smallest);
      throw ApiError.validation(
        `amount: closing ${closing.toFixed()} ${base} would leave ${open.minus(closing).toFixed()} ${base}, below the market minimum; ` +
          `leave at least ${smallest.toFixed()} ${base} (close at most ${most.gt(0) ? most.toFixed() : 0} ${base}) or close all`,
      );
    }
    if (!partial) {
      // Claimed once: a concurrent close (or the stop-loss guard) finds it CLOSING.
      const claimed = await this.trades.update(
        { id, status: 'OPEN' },
        { status: 'CLOSING', closeReason: reason },
      );
      if (!claimed.affected) throw ApiError.conflict(`Trade ${id} is already being closed`);
      this.events.publish('position.updated', {
        position: toTradeDto({ ...trade, status: 'CLOSING' }, null),
      });
    }
    try {
      await this.orders.place(
        {
          symbol: trade.symbol,
          side: trade.side === 'long' ? 'sell' : 'buy',
          type: 'market',
          amount: closing.toFixed(),
          ...(trade.venue === 'exchange' ? { accountId: trade.accountId } : {}),
        },
        {
          createdBy,
          intent: EXIT_INTENT_OF[reason] ?? 'exit',
          tradeId: id,
          closesTrade: !partial,
          ...(trade.botId ? { botId: trade.botId } : {}),
        },
      );
    } catch (error) {
      if (!partial)
        await this.trades.update({ id, status: 'CLOSING' }, { status: 'OPEN', closeReason: null });
      throw error;
    }
    return this.get(id);
  }

  /**
   * The least amount of the trade's coin its exchange will take in a sell now: its minimum amount or
   * minimum order value at the current price, rounded up to the amount step. Null when the market
   * or its price cannot be read (the exit is then tried as asked).
   */
  private async smallestSellable(trade: Trade): Promise<Money | null> {
    const price = await this.priceOf(trade);
    try {
      const exchange = await this.venues.of(trade);
      const market = (await exchange.markets()).find((candidate) => candidate.symbol === trade.symbol);
      if (!market || price === null || price <= 0) return null;
      const step = new Money(market.amountStep);
      const byValue = new Money(market.minNotional).div(price);
      const least = Money.max(new Money(market.minAmount), byValue, step);
      return step.gt(0) ? least.div(step).ceil().times(step) : least;
    } catch (error) {
      this.logger.debug(`no market limits for ${trade.symbol}: ${errorMessage(error)}`);
      return null;
    }
  }

  /** Ends a position too small to sell: its remaining coins stay in the account, outside any trade. */
  private async closeAsDust(trade: Trade): Promise<Trade> {
    const closed = await this.trades.update(
      { id: trade.id, status: 'OPEN' },
      { status: 'CLOSED', closeReason: 'dust', closedAt: this.clock.now() },
    );
    if (!closed.affected) throw ApiError.conflict(`Trade ${trade.id} is already being closed`);
    const updated = await this.get(trade.id);
    this.logger.log(
      `trade ${trade.id} (${trade.symbol}) closed as dust: ${openAmount(trade).toFixed()} is below the market minimum`,
    );
    this.events.publish('position.closed', { position: toTradeDto(updated, null) });
    return updated;
  }

  /**
   * New stop loss or take profit. `checkAgainstPrice` (the API) refuses a level on the wrong side of
   * the current price, as opening a trade does: it would trigger at once. The engine's trailing stop
   * leaves it off: its stop follows a price that may already have moved on.
   */
  async updateLevels(
    id: string,
    levels: { stopLoss?: string | null; takeProfit?: string | null },
    options: { checkAgainstPrice?: boolean } = {},
  ): Promise<Trade> {
    const trade = await this.get(id);
    if (trade.status !== 'OPEN' && trade.status !== 'OPENING')
      throw ApiError.conflict(`Trade ${id} is ${trade.status}: its levels can no longer change`);
    if (options.checkAgainstPrice) {
      const price =
        (await this.priceOf(trade)) ??
        (await (await this.venues.of(trade)).ticker(trade.symbol).catch(() => undefined))?.last;
      if (price !== undefined)
        this.checkLevels(
          trade.side,
          price,
          levels.stopLoss ?? undefined,
          levels.takeProfit ?? undefined,
          'current price',
        );
    }
    const changes: Partial<Trade> = {};
    if (levels.stopLoss !== undefined) changes.stopLoss = levels.stopLoss;
    if (levels.takeProfit !== undefined) changes.takeProfit = levels.takeProfit;
    // R is measured against the first stop: a later move of the stop does not change the risk taken.
    if (changes.stopLoss && trade.initialRisk === null && new Money(trade.entryAmount).gt(0)) {
      const entryPrice = new Money(trade.entryCost).div(trade.entryAmount);
      changes.initialRisk = entryPrice.minus(changes.stopLoss).abs().times(trade.entryAmount).toFixed();
    }
    await this.trades.update({ id }, changes);
    const updated = await this.get(id);
    this.events.publish('position.updated', { position: toTradeDto(updated, await this.priceOf(updated)) });
    return updated;
  }

  async active(
    query: TradeQueryDto,
  ): Promise<{ items: TradeDto[]; total: number; totalPnl: number; totalVolume: number }> {
    const symbol = this.symbolFilter(query.symbol);
    const [rows, total] = await this.trades.findAndCount({
      where: { status: In(LIVE_STATUSES), ...(symbol ? { symbol } : {}) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    const all =
      total > rows.length
        ? await this.trades.findBy({ status: In(LIVE_STATUSES), ...(symbol ? { symbol } : {}) })
        : rows;
    const views = await this.views(all);
    const page = new Set(rows.map((row) => row.id));
    return { items: views.filter((view) => page.has(view.id)), total, ...totals(views) };
  }

  async history(
    query: TradeHistoryQueryDto,
  ): Promise<{ items: TradeDto[]; total: number; totalPnl: number; totalVolume: number }> {
    const symbol = this.symbolFilter(query.symbol);
    const from = query.startDate ? new Date(query.startDate) : undefined;
    const to = query.endDate ? new Date(query.endDate) : undefined;
    const created =
      from && to ? Between(from, to) : from ? MoreThanOrEqual(from) : to ? LessThan(to) : undefined;
    const where = {
      ...(query.status ? { status: query.status } : {}),
      ...(symbol ? { symbol } : {}),
      ...(created ? { createdAt: created } : {}),
    };
    const [rows, total] = await this.trades.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    const sums = await this.trades
      .createQueryBuilder('trade')
      .select('COALESCE(SUM(trade.realizedPnl), 0)', 'pnl')
      .addSelect('COALESCE(SUM(trade.entryCost + trade.exitCost), 0)', 'volume')
      .where(where)
      .getRawOne<{ pnl: string; volume: string }>();
    return {
      items: await this.views(rows),
      total,
      totalPnl: decimalNumber(sums?.pnl ?? 0),
      totalVolume: decimalNumber(sums?.volume ?? 0),
    };
  }

  async detail(id: string): Promise<TradeDetailDto> {
    const trade = await this.get(id);
    const orders = await this.orderRows.find({ where: { tradeId: id }, order: { createdAt: 'ASC' } });
    const view = toTradeDto(trade, await this.priceOf(trade));
    const dca = orders.filter((order) => order.intent === 'dca');
    const filledDca = dca.filter((order) => order.status === OrderStatus.FILLED);
    const riskShare =
      view.initialRisk && view.entryAmount && view.entryPrice
        ? view.initialRisk / (view.entryAmount * view.entryPrice)
        : null;
    return {
      ...view,
      orders: orders.map(toOrderDto),
      dcaSuccessRate: dca.length === 0 ? '0%' : `${Math.round((filledDca.length / dca.length) * 100)}%`,
      riskLevel:
        riskShare === null ? 'high' : riskShare <= 0.02 ? 'low' : riskShare <= 0.05 ? 'medium' : 'high',
      mlConfidence: null,
      dcaHistory: dca.map((order, index) => ({
        attempt: index + 1,
        price: order.averagePrice === null ? null : Number(order.averagePrice),
        amount: Number(order.amount),
        timestamp: order.createdAt.toISOString(),
        success: order.status === OrderStatus.FILLED,
      })),
    };
  }

  /** Open positions (OPEN and CLOSING trades), newest first. */
  async positions(
    limit: number,
    offset: number,
  ): Promise<{ rows: Trade[]; total: number; prices: Map<string, number | null> }> {
    const [rows, total] = await this.trades.findAndCount({
      where: { status: In(['OPEN', 'CLOSING']) },
      order: { openedAt: 'DESC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    const prices = new Map<string, number | null>();
    for (const row of rows) prices.set(row.id, await this.priceOf(row));
    return { rows, total, prices };
  }

  /** Counts for the trading status: trades ever opened, realised PnL of today's closes, last trade. */
  async summary(): Promise<{
    openPositions: number;
    dailyPnl: number;
    totalTrades: number;
    lastTradeTime: string | null;
  }> {
    const dayStart = new Date(Math.floor(this.clock.nowMs() / 86_400_000) * 86_400_000);
    const row = await this.trades
      .createQueryBuilder('trade')
      .select("COUNT(*) FILTER (WHERE trade.status <> 'CANCELED')", 'total')
      .addSelect("COUNT(*) FILTER (WHERE trade.status IN ('OPEN', 'CLOSING'))", 'open')
      .addSelect(
        "COALESCE(SUM(trade.realizedPnl) FILTER (WHERE trade.status = 'CLOSED' AND trade.closedAt >= :dayStart), 0)",
        'daily',
      )
      .addSelect('MAX(trade.createdAt)', 'last')
      .setParameter('dayStart', dayStart)
      .getRawOne<{ total: string; open: string; daily: string; last: Date | string | null }>();
    return {
      openPositions: Number(row?.open ?? 0),
      dailyPnl: decimalNumber(row?.daily ?? 0),
      totalTrades: Number(row?.total ?? 0),
      lastTradeTime: row?.last ? new Date(row.last).toISOString() : null,
    };
  }

  /** The latest price of a trade's symbol on its venue (bid for longs, ask for shorts); null when unknown. */
  priceOf(trade: Trade): Promise<number | null> {
    return this.tickerPrice(trade, trade.side === 'long' ? 'bid' : 'ask');
  }

  /**
   * The last traded price of a trade's symbol, which stops and targets are watched against (as an
   * exchange triggers its stop orders, and as candles, which backtests read, record the market).
   */
  lastPriceOf(trade: Trade): Promise<number | null> {
    return this.tickerPrice(trade, 'last');
  }

  private async tickerPrice(trade: Trade, field: 'bid' | 'ask' | 'last'): Promise<number | null> {
    if (trade.status !== 'OPEN' && trade.status !== 'CLOSING') return null;
    const key = `${trade.venue}|${trade.accountId}|${trade.symbol}|${field}`;
    try {
      return await this.prices.get(key, async () => {
        const exchange = await this.venues.of(trade);
        return (await exchange.ticker(trade.symbol))[field];
      });
    } catch (error) {
      this.logger.debug(`no price for ${trade.symbol}: ${String(error)}`);
      return null;
    }
  }

  private async views(rows: Trade[]): Promise<TradeDto[]> {
    const views: TradeDto[] = [];
    for (const row of rows) views.push(toTradeDto(row, await this.priceOf(row)));
    return views;
  }

  private symbolFilter(raw: string | undefined): string | undefined {
    return raw === undefined ? undefined : requireSymbol(raw);
  }

  /**
   * A long's stop is below the price and its target above; a short's the other way round. A level
   * on the wrong side would trigger at once.
   */
  private checkLevels(
    side: 'long' | 'short',
    price: number,
    stopLoss?: string,
    takeProfit?: string,
    priceName = 'entry price',
  ): void {
    const below = (value: string) => Number(value) < price;
    const atOnce = 'or it would trigger at once';
    if (stopLoss !== undefined && below(stopLoss) !== (side === 'long'))
      throw ApiError.validation(
        `stopLoss: must be ${side === 'long' ? 'below' : 'above'} the ${priceName} ${price}, ${atOnce}`,
      );
    if (takeProfit !== undefined && below(takeProfit) === (side === 'long'))
      throw ApiError.validation(
        `takeProfit: must be ${side === 'long' ? 'above' : 'below'} the ${priceName} ${price}, ${atOnce}`,
      );
  }
}

function totals(views: TradeDto[]): { totalPnl: number; totalVolume: number } {
  let pnl = new Money(0);
  let volume = new Money(0);
  for (const view of views) {
    pnl = pnl.plus(view.pnl);
    volume = volume.plus(view.volume);
  }
  return { totalPnl: decimalNumber(pnl), totalVolume: decimalNumber(volume) };
}
