import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { requireSymbol } from '../market/symbols';
import { Money } from '../platform/decimal/money';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { isUniqueViolation } from '../platform/database/database-errors';
import { ErrorCode } from '../platform/http/error-codes';
import { Clock } from '../platform/time/clock';
import type { Trade } from '../trading/trade.entity';
import { TradesService } from '../trading/trades.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { buildLadder } from './dca-ladder';
import { neededFor, percentInQuote, readMarket } from './dca-plans.service';
import { DcaDeal, DealSettings } from './dca-deal.entity';
import { DcaDeals, StartDealInput } from './dca-deals.service';
import { announceDeal } from './dca.events';
import { quoteOrBase } from './dca-rungs';

/**
 * How deals begin: started now with a fundable ladder and a base order, or taken over from a trade
 * opened with DCA on. From then on DcaDeals moves them.
 */
@Injectable()
export class DcaDealOpenings {
  constructor(
    @InjectRepository(DcaDeal) private readonly deals: Repository<DcaDeal>,
    private readonly engine: DcaDeals,
    private readonly trades: TradesService,
    private readonly venues: TradingVenues,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts a deal now: the whole ladder must be fundable from the free balance (no half-funded
   * deals), then the base order goes out at market.
   */
  async start(input: StartDealInput, createdBy: string | null): Promise<DcaDeal> {
    const symbol = requireSymbol(input.symbol);
    const target = await this.venues.resolve(input.accountId, input.paperAccount);
    const { market, price, free } = await readMarket(target.exchange, symbol, 'ask');
    // A percent of the free balance is fixed in quote when the deal starts.
    const settings = percentInQuote(input.settings, free);
    const ladder = buildLadder({ ...settings, volumeType: quoteOrBase(settings) }, price, market);
    const needed = neededFor(ladder, market.takerFee);
    if (free.lt(needed))
      throw new ApiError(
        400,
        ErrorCode.INSUFFICIENT_BALANCE,
        `The ladder needs ${needed.toDecimalPlaces(8).toFixed()} ${market.quote} (every order filled, fees included); ${free.toDecimalPlaces(8).toFixed()} ${market.quote} is free`,
        {
          needed: needed.toDecimalPlaces(8).toNumber(),
          free: free.toDecimalPlaces(8).toNumber(),
          currency: market.quote,
        },
      );
    const now = this.clock.now();
    const deal = await this.deals
      .save(
        this.deals.create({
          id: randomUUID(),
          orderKey: `d${randomUUID().replace(/-/g, '').slice(0, 15)}`,
          botId: input.botId ?? null,
          symbol,
          venue: target.venue,
          accountId: target.accountId,
          status: 'created',
          settings,
          tradeId: randomUUID(),
          basePrice: null,
          ladder: [],
          safetyOrdersFilled: 0,
          takeProfitPrice: null,
          takeProfitOrders: 0,
          trailingHigh: null,
          closeReason: null,
          createdBy,
          createdAt: now,
          updatedAt: now,
          closedAt: null,
        }),
      )
      .catch((error: unknown) => {
        if (isUniqueViolation(error))
          throw ApiError.conflict(`The bot has a deal on ${symbol} under way (started at the same moment)`);
        throw error;
      });
    this.engine.track(deal);
    const limit = settings.startOrderType === 'limit' ? ladder.orders[0].price : undefined;
    await this.engine.serially(deal.id, () =>
      this.placeBaseOrder(deal, ladder.orders[0].amount, limit, target, input),
    );
    await this.engine.advance(deal.id);
    return this.engine.get(deal.id);
  }

  private async placeBaseOrder(
    deal: DcaDeal,
    amount: string,
    limitPrice: string | undefined,
    target: { venue: 'paper' | 'exchange'; accountId: string },
    input: StartDealInput,
  ): Promise<void> {
    try {
      await this.trades.open(
        {
          id: deal.tradeId!,
          entryClientOrderId: `${deal.orderKey}b`,
          symbol: deal.symbol,
          side: 'buy',
          amount,
          ...(limitPrice ? { price: limitPrice } : {}),
          dcaEnabled: true,
          maxDcaAttempts: deal.settings.maxSafetyOrders,
          ...(target.venue === 'exchange'
            ? { accountId: target.accountId }
            : { paperAccount: target.accountId }),
          ...(input.botId ? { botId: input.botId, source: 'bot' as const } : {}),
        },
        deal.createdBy,
      );
    } catch (error) {
      await this.engine.finish(deal, 'failed', `base order refused: ${errorMessage(error)}`);
      throw error;
    }
    await this.engine.setStatus(deal, 'base_order_placed');
    announceDeal(this.events, 'DEAL_OPENED', deal);
  }

  /**
   * Takes an open long trade opened with DCA on (seed 004) into a deal: its entry is the base order,
   * its ladder comes from the settings, trimmed to what the free balance can fund, and its own stop
   * loss and take profit stay with it. Null when nothing can be funded or it already has a deal.
   */
  async adopt(trade: Trade, settings: DealSettings): Promise<DcaDeal | null> {
    if (trade.side !== 'long' || (await this.engine.hasDeal(trade.id))) return null;
    const exchange = await this.venues.of(trade);
    const { market, free } = await readMarket(exchange, trade.symbol, 'ask');
    const entry = new Money(trade.entryCost).div(trade.entryAmount).toFixed();
    let rungs = settings.maxSafetyOrders;
    const ladderOf = (n: number) =>
      buildLadder({ ...settings, maxSafetyOrders: n, volumeType: quoteOrBase(settings) }, entry, market);
    // The base order is bought already: only the safety orders need funds.
    const safetyCost = (n: number) => {
      const ladder = ladderOf(n);
      return neededFor(ladder, market.takerFee).minus(
        new Money(ladder.orders[0].cost).times(new Money(1).plus(market.takerFee)),
      );
    };
    while (rungs > 0 && free.lt(safetyCost(rungs))) rungs--;
    if (rungs === 0) return null;
    const now = this.clock.now();
    const ladder = ladderOf(rungs);
    const deal = await this.deals.save(
      this.deals.create({
        id: randomUUID(),
        orderKey: `d${randomUUID().replace(/-/g, '').slice(0, 15)}`,
        botId: trade.botId,
        symbol: trade.symbol,
        venue: trade.venue,
        accountId: trade.accountId,
        status: 'bought',
        settings: { ...settings, maxSafetyOrders: rungs, exitsByTrade: true },
        tradeId: trade.id,
        basePrice: entry,
        ladder: ladder.orders.slice(1).map(({ index, price, amount }) => ({ index, price, amount })),
        safetyOrdersFilled: 0,
        takeProfitPrice: null,
        takeProfitOrders: 0,
        trailingHigh: null,
        closeReason: null,
        createdBy: trade.createdBy,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      }),
    );
    this.engine.track(deal);
    announceDeal(this.events, 'DEAL_OPENED', deal);
    await this.engine.advance(deal.id);
    return deal;
  }
}
