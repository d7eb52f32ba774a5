import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Money } from '../platform/decimal/money';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { Clock } from '../platform/time/clock';
import { OrderStatus } from '../trading/order-status';

import '../trading/trading.events';
import { TradesService } from '../trading/trades.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { buildLadder, toStep } from './dca-ladder';
import { marketOf, readMarket } from './dca-plans.service';
import { ACTIVE_DEAL_STATUSES, DcaDeal, DealSettings, DealStatus } from './dca-deal.entity';
import { announceDeal } from './dca.events';
import { DcaDealOrders } from './dca-deal-orders.service';
import { priceAction } from './dca-exit-rules';
import { closedStatusOf, quoteOrBase, rungOf, stepsOf, targetOf } from './dca-rungs';

/** How often active deals are looked at: stop losses, trailing take profits, timeouts, missed events. */
const SWEEP_MS = 1000;
/** The instance that sweeps the deals (one does; another takes over when it goes). */
const SWEEP_LEASE = 'dca-deals';

export interface StartDealInput {
  symbol: string;
  settings: DealSettings;
  /** An exchange account; default: a paper account. */
  accountId?: string;
  paperAccount?: string;
  botId?: string;
}

/**
 * DCA deals: started now (API, bots), built by their orders as those fill. Every order goes through
 * the order service (written before sent, reconciled), keyed by a client id derived from the deal and
 * its rung, so a deal advanced twice, or again after a crash, never places a rung twice. A deal moves
 * when one of its orders changes (events) and on a sweep every second (prices, timeouts, anything
 * missed).
 */
@Injectable()
export class DcaDeals implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DcaDeals');
  /** Each deal's advances run one after another. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Active deals by their trade's id, for the order events. */
  private readonly byTrade = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | null = null;

  constructor(
    @InjectRepository(DcaDeal) private readonly deals: Repository<DcaDeal>,
    private readonly rungs: DcaDealOrders,
    private readonly trades: TradesService,
    private readonly venues: TradingVenues,
    private readonly leases: AdvisoryLeases,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const kick = ({ order }: { order: { tradeId: string | null } }) => {
      const dealId = order.tradeId ? this.byTrade.get(order.tradeId) : undefined;
      if (dealId) void this.advance(dealId);
    };
    for (const name of ['order.placed', 'order.filled', 'order.canceled', 'order.updated'] as const)
      this.events.on(name, kick);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const deal of await this.deals.find({ where: { status: In([...ACTIVE_DEAL_STATUSES]) } }))
      if (deal.tradeId) this.byTrade.set(deal.tradeId, deal.id);
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.all(this.chains.values());
  }

  /** Where a trade or deal trades. */
  venueOf(of: { venue: 'paper' | 'exchange'; accountId: string }) {
    return this.venues.of(of);
  }

  /** Follows a deal's trade's order events from now on. */
  track(deal: DcaDeal): void {
    if (deal.tradeId) this.byTrade.set(deal.tradeId, deal.id);
  }

  hasDeal(tradeId: string): Promise<boolean> {
    return this.deals.existsBy({ tradeId });
  }

  async get(id: string): Promise<DcaDeal> {
    const deal = await this.deals.findOneBy({ id });
    if (!deal) throw ApiError.notFound(`No DCA deal ${id}`);
    return deal;
  }

  /** Sells the deal's position at market now (its resting orders cancelled first). */
  async panicSell(
    id: string,
    reason: 'panic_sell' | 'panic_exit' | 'kill_switch' = 'panic_sell',
  ): Promise<DcaDeal> {
    return this.closeAtMarket(await this.activeDeal(id), reason);
  }

  /** Ends the deal without selling: its resting orders are cancelled, the coins stay as an open trade. */
  async cancel(id: string): Promise<DcaDeal> {
    const deal = await this.activeDeal(id);
    await this.serially(deal.id, async () => {
      await this.rungs.cancelResting(deal, await this.rungs.ordersOf(deal), false);
      await this.finish(deal, 'cancelled', 'cancelled');
    });
    return this.get(id);
  }

  /**
   * Buys `volume` of quote more at market now (3Commas' "add funds"): it lowers or raises the average
   * entry like a safety order, without using one of the ladder's rungs; the take profit follows.
   */
  async addFunds(id: string, volume: number): Promise<DcaDeal> {
    const deal = await this.activeDeal(id);
    if (!['bought', 'ttp_activated'].includes(deal.status) || deal.closeReason)
      throw ApiError.conflict(
        `Deal ${id} is ${deal.closeReason ? 'being closed' : deal.status}: funds go to a bought deal`,
      );
    await this.serially(id, async () => {
      const { market, price } = await readMarket(await this.venues.of(deal), deal.symbol, 'ask');
      const amount = toStep(new Money(volume).div(price), market.amountStep, 'down');
      if (!amount.gt(0))
        throw ApiError.validation(`volume: ${volume} ${market.quote} buys less than one amount step`);
      const added = (await this.rungs.ordersOf(deal)).filter(
        (order) => rungOf(deal, order)?.kind === 'f',
      ).length;
      await this.rungs.placeOnce(
        deal,
        `f${added + 1}`,
        { side: 'buy', type: 'market', amount: amount.toFixed() },
        'add_funds',
      );
    });
    await this.advance(id);
    return this.get(id);
  }

  /** A new target profit: the take-profit order is replaced at it. */
  async updateTakeProfit(id: string, takeProfit: number): Promise<DcaDeal> {
    const deal = await this.activeDeal(id);
    deal.settings = { ...deal.settings, takeProfit };
    await this.deals.update({ id }, { settings: deal.settings, updatedAt: this.clock.now() });
    await this.advance(id);
    return this.get(id);
  }

  /** Moves a deal on from what its orders and trade say now. Runs one at a time per deal. */
  advance(id: string): Promise<void> {
    return this.serially(id, async () => {
      const deal = await this.deals.findOneBy({ id });
      if (!deal || !ACTIVE_DEAL_STATUSES.includes(deal.status)) return;
      try {
        await this.step(deal);
      } catch (error) {
        this.logger.warn(`deal ${deal.id} (${deal.symbol}) not advanced: ${errorMessage(error)}`);
      }
    });
  }

  /** Every second, in one instance: each active deal is advanced and its price rules checked. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        if (!(await this.leases.acquire(SWEEP_LEASE))) return;
        const active = await this.deals.find({ where: { status: In([...ACTIVE_DEAL_STATUSES]) } });
        for (const deal of active) {
          if (deal.tradeId) this.byTrade.set(deal.tradeId, deal.id);
          await this.advance(deal.id);
          await this.serially(deal.id, () => this.checkPrice(deal.id));
        }
      } catch (error) {
        this.logger.warn(`DCA sweep failed: ${errorMessage(error)}`);
      }
    })().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async step(deal: DcaDeal): Promise<void> {
    const trade = deal.tradeId ? await this.trades.find(deal.tradeId) : null;
    const orders = await this.rungs.ordersOf(deal);
    if (deal.status === 'created') {
      const base = orders.find((order) => rungOf(deal, order)?.kind === 'b');
      // A crash between the deal and its base order: nothing was sent. (A deal still being started
      // in another instance is left alone for a minute.)
      if (!trade || !base) {
        if (this.clock.nowMs() - deal.createdAt.getTime() < 60_000) return;
        return this.finish(deal, 'failed', 'base order never placed');
      }
      await this.setStatus(deal, 'base_order_placed');
    }
    if (!trade) return this.finish(deal, 'failed', 'its trade is gone');
    if (trade.status === 'CANCELED')
      return this.finish(deal, 'failed', `base order ${trade.closeReason ?? 'ended unfilled'}`);
    if (trade.status === 'CLOSED') {
      await this.rungs.cancelResting(deal, orders, true);
      return this.finish(
        deal,
        closedStatusOf(deal.closeReason ?? trade.closeReason),
        deal.closeReason ?? trade.closeReason ?? 'closed',
      );
    }
    const base = orders.find((order) => rungOf(deal, order)?.kind === 'b');
    if (deal.status === 'base_order_placed') {
      if (!base || base.status !== OrderStatus.FILLED || !base.averagePrice) return;
      const market = await marketOf(await this.venues.of(deal), deal.symbol);
      const ladder = buildLadder(
        { ...deal.settings, volumeType: quoteOrBase(deal.settings) },
        base.averagePrice,
        market,
      );
      deal.basePrice = base.averagePrice;
      deal.ladder = ladder.orders.slice(1).map(({ index, price, amount }) => ({ index, price, amount }));
      await this.deals.update(
        { id: deal.id },
        { basePrice: deal.basePrice, ladder: deal.ladder, status: 'bought', updatedAt: this.clock.now() },
      );
      deal.status = 'bought';
      announceDeal(this.events, 'DEAL_UPDATED', deal);
    }
    if (deal.closeReason) return; // being sold at market: nothing new goes out
    await this.rungs.keepSafetyOrders(deal, orders);
    // With trailing, the steps before the last rest as limit orders; the last is watched (checkPrice).
    if (!deal.settings.exitsByTrade)
      await this.rungs.keepTakeProfit(deal, trade, await this.rungs.ordersOf(deal));
  }

  /** Stop loss, trailing take profit and timeout, from the price now. */
  private async checkPrice(id: string): Promise<void> {
    const deal = await this.deals.findOneBy({ id });
    if (!deal || !['bought', 'ttp_activated'].includes(deal.status) || deal.closeReason || !deal.tradeId)
      return;
    const trade = await this.trades.find(deal.tradeId);
    if (!trade || trade.status !== 'OPEN') return;
    const exchange = await this.venues.of(deal);
    const bid = new Money((await exchange.ticker(deal.symbol)).bid ?? 0);
    if (!bid.gt(0)) return;
    const steps = stepsOf(deal.settings);
    const action = priceAction({
      settings: deal.settings,
      status: deal.status,
      trailingHigh: deal.trailingHigh,
      average: new Money(trade.entryCost).div(trade.entryAmount),
      trailingTarget: targetOf(deal, trade, steps[steps.length - 1].profitPercent),
      bid,
      ageMs: this.clock.nowMs() - deal.createdAt.getTime(),
      stepSold: deal.settings.stopLossToBreakeven ? await this.rungs.stepSold(deal) : false,
    });
    if (action?.kind === 'close') await this.closeAtMarket(deal, action.reason, false);
    else if (action?.kind === 'raise_high')
      await this.deals.update({ id }, { trailingHigh: action.high.toFixed() });
    else if (action?.kind === 'arm_trailing') {
      deal.status = 'ttp_activated';
      deal.trailingHigh = bid.toFixed();
      deal.takeProfitPrice = action.target.toFixed();
      await this.deals.update(
        { id },
        {
          status: deal.status,
          trailingHigh: deal.trailingHigh,
          takeProfitPrice: deal.takeProfitPrice,
          updatedAt: this.clock.now(),
        },
      );
      announceDeal(this.events, 'DEAL_UPDATED', deal);
    }
  }

  /** Cancels the resting orders, then sells what the position holds at market; the close finishes the deal. */
  private async closeAtMarket(deal: DcaDeal, reason: string, serial = true): Promise<DcaDeal> {
    const run = async () => {
      deal.closeReason = reason;
      await this.deals.update({ id: deal.id }, { closeReason: reason, updatedAt: this.clock.now() });
      await this.rungs.cancelResting(deal, await this.rungs.ordersOf(deal), false);
      if (!deal.tradeId) return this.finish(deal, closedStatusOf(reason), reason);
      const trade = await this.trades.find(deal.tradeId);
      if (trade?.status === 'OPEN') await this.trades.close(deal.tradeId, reason, deal.createdBy);
    };
    if (serial) {
      await this.serially(deal.id, run);
      await this.advance(deal.id);
    } else {
      // Called from within the deal's own chain (the price check): the advance queues behind it;
      // awaiting it here would wait for itself.
      await run();
      void this.advance(deal.id);
    }
    return this.get(deal.id);
  }

  private async activeDeal(id: string): Promise<DcaDeal> {
    const deal = await this.get(id);
    if (!ACTIVE_DEAL_STATUSES.includes(deal.status))
      throw ApiError.conflict(`Deal ${id} is ${deal.status}: only an active deal can be changed`);
    return deal;
  }

  async setStatus(deal: DcaDeal, status: DealStatus): Promise<void> {
    deal.status = status;
    await this.deals.update({ id: deal.id }, { status, updatedAt: this.clock.now() });
  }

  async finish(deal: DcaDeal, status: DealStatus, reason: string): Promise<void> {
    const now = this.clock.now();
    deal.status = status;
    deal.closeReason = reason.slice(0, 200);
    deal.closedAt = now;
    await this.deals.update(
      { id: deal.id },
      { status, closeReason: deal.closeReason, closedAt: now, updatedAt: now },
    );
    if (deal.tradeId) this.byTrade.delete(deal.tradeId);
    announceDeal(this.events, 'DEAL_CLOSED', deal);
  }

  /** Runs work on a deal after what is queued for it (one change at a time per deal). */
  serially(id: string, work: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.chains.set(id, settled);
    void settled.then(() => {
      if (this.chains.get(id) === settled) this.chains.delete(id);
    });
    return next;
  }
}
