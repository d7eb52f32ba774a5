import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, MoreThanOrEqual, Repository } from 'typeorm';
import { requireSymbol } from '../market/symbols';
import { Money } from '../platform/decimal/money';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { errorMessage } from '../platform/errors/error-message';
import { Clock } from '../platform/time/clock';
import { Order, OrderVenue } from './order.entity';
import { OrdersService } from './orders.service';
import { Trade, TradeStatus } from './trade.entity';
import { openAmount, toTradeDto } from './trade-view';
import { TradePrices } from './trade-prices.service';
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
  /** Without an exchange account: the paper account (by name) to trade on; default: the default one. */
  paperAccount?: string;
  botId?: string;
  preset?: string;
  /** Who decided the trade: the API (a person or a script) or a bot. */
  source?: 'api' | 'bot';
  /** A bot's sizing: the share of equity it loses at its stop, costs included, and what set the size. */
  riskShare?: number;
  sizedBy?: 'risk' | 'cash' | 'slot';
  /** The ML model's confidence in `up` when it let the entry through, and which model (`mlp v3`). */
  mlConfidence?: number;
  mlModel?: string;
  /** The trade's id and its entry order's client id, when the caller keys its own records by them (a DCA deal). */
  id?: string;
  entryClientOrderId?: string;
}

/** Trades not closed yet. */
export const LIVE_STATUSES: TradeStatus[] = ['OPENING', 'OPEN', 'CLOSING'];
const EXIT_INTENT_OF: Record<string, string> = { stop_loss: 'stop_loss', take_profit: 'take_profit' };

/**
 * Trades (round trips) and positions (open trades): opened by placing an entry order, closed by an
 * exit order; their accounting follows the fills (TradeLedger). Stop loss and take profit are
 * watched by TradeGuard, which closes through here. What the routes read is in TradeQueries.
 */
@Injectable()
export class TradesService {
  private readonly logger = new Logger('Trades');

  constructor(
    @InjectRepository(Trade) private readonly trades: Repository<Trade>,
    @InjectRepository(Order) private readonly orderRows: Repository<Order>,
    private readonly orders: OrdersService,
    private readonly venues: TradingVenues,
    private readonly prices: TradePrices,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

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

  /** Mean risk share of a bot's trades opened since `since`, and how many each rule sized. */
  async sizingOfBot(
    botId: string,
    since: Date,
  ): Promise<{ meanRiskShare: number | null; sizedBy: Record<'risk' | 'cash' | 'slot', number> }> {
    const row = await this.trades
      .createQueryBuilder('trade')
      .select('AVG(trade.riskShare)', 'mean')
      .addSelect("COUNT(*) FILTER (WHERE trade.sizedBy = 'risk')", 'risk')
      .addSelect("COUNT(*) FILTER (WHERE trade.sizedBy = 'cash')", 'cash')
      .addSelect("COUNT(*) FILTER (WHERE trade.sizedBy = 'slot')", 'slot')
      .where('trade.botId = :botId AND trade.createdAt >= :since AND trade.riskShare IS NOT NULL', {
        botId,
        since,
      })
      .getRawOne<{ mean: string | null; risk: string; cash: string; slot: string }>();
    return {
      meanRiskShare:
        row?.mean === null || row?.mean === undefined ? null : Math.round(Number(row.mean) * 1e8) / 1e8,
      sizedBy: { risk: Number(row?.risk ?? 0), cash: Number(row?.cash ?? 0), slot: Number(row?.slot ?? 0) },
    };
  }

  /** Trades not closed yet on one account (of every bot and of the API). */
  async liveOnAccount(venue: OrderVenue, accountId: string): Promise<Trade[]> {
    return this.trades.find({ where: { venue, accountId, status: In(LIVE_STATUSES) } });
  }

  /** The sum of the realised PnL of a bot's trades closed at or after `since`, in the quote currency. */
  async realizedOfBot(botId: string, since: Date): Promise<Money> {
    const row = await this.trades
      .createQueryBuilder('trade')
      .select('COALESCE(SUM(trade.realizedPnl), 0)::text', 'sum')
      .where("trade.botId = :botId AND trade.status = 'CLOSED' AND trade.closedAt >= :since", {
        botId,
        since,
      })
      .getRawOne<{ sum: string }>();
    return new Money(row?.sum ?? '0');
  }

  async countOfBot(botId: string): Promise<number> {
    return this.trades.countBy({ botId });
  }

  /** A trade, or null when there is none. */
  find(id: string): Promise<Trade | null> {
    return this.trades.findOneBy({ id });
  }

  byIds(ids: string[]): Promise<Trade[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.trades.findBy({ id: In(ids) });
  }

  async get(id: string): Promise<Trade> {
    const trade = await this.trades.findOneBy({ id });
    if (!trade) throw ApiError.notFound(`No trade ${id}`);
    return trade;
  }

  async open(input: OpenTradeInput, createdBy: string | null): Promise<Trade> {
    const target = await this.venues.resolve(input.accountId, input.paperAccount);
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
    const id = input.id ?? randomUUID();
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
      riskShare: input.riskShare === undefined ? null : input.riskShare.toFixed(10),
      sizedBy: input.sizedBy ?? null,
      mlConfidence: input.mlConfidence ?? null,
      mlModel: input.mlModel ?? null,
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
          ...(input.paperAccount ? { paperAccount: input.paperAccount } : {}),
          ...(input.entryClientOrderId ? { clientOrderId: input.entryClientOrderId } : {}),
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
          ...(trade.venue === 'exchange'
            ? { accountId: trade.accountId }
            : { paperAccount: trade.accountId }),
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
    const price = await this.prices.priceOf(trade);
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
        (await this.prices.priceOf(trade)) ??
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
    this.events.publish('position.updated', {
      position: toTradeDto(updated, await this.prices.priceOf(updated)),
    });
    return updated;
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
