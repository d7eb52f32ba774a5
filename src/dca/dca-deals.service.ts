import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { requireSymbol } from '../market/symbols';
import { Money } from '../platform/decimal/money';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { Clock } from '../platform/time/clock';
import type { Order } from '../trading/order.entity';
import { isFinal, OrderStatus } from '../trading/order-status';
import { CLIENT_ORDER_PREFIX, OrdersService } from '../trading/orders.service';
import type { Trade } from '../trading/trade.entity';
import { openAmount } from '../trading/trade-view';
import '../trading/trading.events';
import { TradesService } from '../trading/trades.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { buildLadder, toStep } from './dca-ladder';
import { marketOf, neededFor, percentInQuote, readMarket } from './dca-plans.service';
import { ACTIVE_DEAL_STATUSES, DcaDeal, DealSettings, DealStatus, TakeProfitStep } from './dca-deal.entity';
import './dca.events';

/** How often active deals are looked at: stop losses, trailing take profits, timeouts, missed events. */
const SWEEP_MS = 1000;
/** A safety order refused or never sent is placed again at most this many times. */
const MAX_RUNG_RETRIES = 3;
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

/** The rung of a deal's ladder an order is, from its client order id: base, safety n, take profit k. */
export function rungOf(deal: Pick<DcaDeal, 'orderKey'>, order: Pick<Order, 'clientOrderId'>) {
  const id = order.clientOrderId.startsWith(CLIENT_ORDER_PREFIX)
    ? order.clientOrderId.slice(CLIENT_ORDER_PREFIX.length)
    : order.clientOrderId;
  if (!id.startsWith(deal.orderKey)) return null;
  const match = /^([bstf])(\d*)(?:p(\d+))?(?:x(\d+))?$/.exec(id.slice(deal.orderKey.length));
  if (!match) return null;
  return {
    kind: match[1] as 'b' | 's' | 't' | 'f',
    n: match[2] ? Number(match[2]) : 0,
    /** A take-profit order's step (1 without steps). */
    step: match[3] ? Number(match[3]) : 1,
    /** A safety order placed again after its earlier order never reached the exchange (0: the first). */
    retry: match[4] ? Number(match[4]) : 0,
  };
}

const isOpenOrder = (order: Order) => !isFinal(order.status);

/** The take-profit steps: the configured ones, or all of the position at `takeProfit`. */
export function stepsOf(settings: DealSettings): TakeProfitStep[] {
  return settings.takeProfitSteps?.length
    ? settings.takeProfitSteps
    : [{ amountPercent: 100, profitPercent: settings.takeProfit }];
}
/** An order that bought nothing and never will: not an attempt. */
const failedAttempt = (order: Order) =>
  (order.status === OrderStatus.CANCELED || order.status === OrderStatus.REJECTED) &&
  new Money(order.filled).isZero();

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
    private readonly orders: OrdersService,
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

  hasDeal(tradeId: string): Promise<boolean> {
    return this.deals.existsBy({ tradeId });
  }

  async get(id: string): Promise<DcaDeal> {
    const deal = await this.deals.findOneBy({ id });
    if (!deal) throw ApiError.notFound(`No DCA deal ${id}`);
    return deal;
  }

  /** A deal's orders, oldest first. */
  async ordersOf(deal: DcaDeal): Promise<Order[]> {
    if (!deal.tradeId) return [];
    return this.orders.ofTrade(deal.tradeId);
  }

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
    const deal = await this.deals.save(
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
    );
    this.byTrade.set(deal.tradeId!, deal.id);
    const limit = settings.startOrderType === 'limit' ? ladder.orders[0].price : undefined;
    await this.serially(deal.id, () =>
      this.placeBaseOrder(deal, ladder.orders[0].amount, limit, target, input),
    );
    await this.advance(deal.id);
    return this.get(deal.id);
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
      await this.finish(deal, 'failed', `base order refused: ${errorMessage(error)}`);
      throw error;
    }
    await this.setStatus(deal, 'base_order_placed');
    this.announce('DEAL_OPENED', deal);
  }

  /**
   * Takes an open long trade opened with DCA on (seed 004) into a deal: its entry is the base order,
   * its ladder comes from the settings, trimmed to what the free balance can fund, and its own stop
   * loss and take profit stay with it. Null when nothing can be funded or it already has a deal.
   */
  async adopt(trade: Trade, settings: DealSettings): Promise<DcaDeal | null> {
    if (trade.side !== 'long' || (await this.hasDeal(trade.id))) return null;
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
    this.byTrade.set(trade.id, deal.id);
    this.announce('DEAL_OPENED', deal);
    await this.advance(deal.id);
    return deal;
  }

  /** Sells the deal's position at market now (its resting orders cancelled first). */
  async panicSell(id: string): Promise<DcaDeal> {
    return this.closeAtMarket(await this.activeDeal(id), 'panic_sell');
  }

  /** Ends the deal without selling: its resting orders are cancelled, the coins stay as an open trade. */
  async cancel(id: string): Promise<DcaDeal> {
    const deal = await this.activeDeal(id);
    await this.serially(deal.id, async () => {
      await this.cancelResting(deal, await this.ordersOf(deal), false);
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
      const added = (await this.ordersOf(deal)).filter((order) => rungOf(deal, order)?.kind === 'f').length;
      await this.placeOnce(
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
    const orders = await this.ordersOf(deal);
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
      await this.cancelResting(deal, orders, true);
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
      this.announce('DEAL_UPDATED', deal);
    }
    if (deal.closeReason) return; // being sold at market: nothing new goes out
    await this.keepSafetyOrders(deal, orders);
    if (deal.settings.trailingDeviation === null && !deal.settings.exitsByTrade)
      await this.keepTakeProfit(deal, trade, await this.ordersOf(deal));
  }

  /** Places the next safety orders so that `activeSafetyOrders` rest below the price, each rung once. */
  private async keepSafetyOrders(deal: DcaDeal, orders: Order[]): Promise<void> {
    const safety = orders.filter((order) => rungOf(deal, order)?.kind === 's');
    const filled = safety.filter((order) => order.status === OrderStatus.FILLED).length;
    if (filled !== deal.safetyOrdersFilled) {
      for (let n = deal.safetyOrdersFilled + 1; n <= filled; n++)
        this.announce('SAFETY_ORDER_FILLED', deal, { index: n });
      deal.safetyOrdersFilled = filled;
      await this.deals.update({ id: deal.id }, { safetyOrdersFilled: filled, updatedAt: this.clock.now() });
    }
    // Once a take-profit step has sold, the deal is on its way out: no more buying.
    if (orders.some((order) => rungOf(deal, order)?.kind === 't' && new Money(order.filled).gt(0))) {
      for (const order of safety.filter(isOpenOrder)) await this.cancelQuietly(order);
      return;
    }
    // A rung counts as placed unless each of its orders bought nothing and ended (one written before a
    // crash and never sent is rejected by the start-up reconciliation): then it goes out again.
    const placed = new Set(
      safety.filter((order) => !failedAttempt(order)).map((order) => rungOf(deal, order)!.n),
    );
    const tries = (index: number) => safety.filter((order) => rungOf(deal, order)!.n === index).length;
    const resting = safety.filter(isOpenOrder).length;
    // Manual DCA orders (POST /api/dca/execute) count against the same maximum.
    const attempts = orders.filter((order) => order.intent === 'dca' && !failedAttempt(order)).length;
    let room = Math.min(deal.settings.activeSafetyOrders - resting, deal.settings.maxSafetyOrders - attempts);
    for (const rung of deal.ladder) {
      if (room <= 0) break;
      if (placed.has(rung.index) || tries(rung.index) > MAX_RUNG_RETRIES) continue;
      const retry = tries(rung.index);
      await this.placeOnce(
        deal,
        retry === 0 ? `s${rung.index}` : `s${rung.index}x${retry}`,
        { side: 'buy', type: 'limit', amount: rung.amount, price: rung.price },
        'dca',
      );
      this.announce('SAFETY_ORDER_PLACED', deal, {
        index: rung.index,
        price: Number(rung.price),
        amount: Number(rung.amount),
      });
      room--;
    }
  }

  /**
   * Keeps the take-profit limit orders: one per step not sold yet, each its share of what is held at
   * the average entry plus its profit (the last of them takes the rest); with trailing the last step is
   * watched instead. After a safety fill they are all replaced at the new average.
   */
  private async keepTakeProfit(deal: DcaDeal, trade: Trade, orders: Order[]): Promise<void> {
    const market = await marketOf(await this.venues.of(deal), deal.symbol);
    const open = toStep(openAmount(trade), market.amountStep, 'down');
    if (!open.gt(0)) return;
    const steps = stepsOf(deal.settings).map((step, index) => ({ ...step, step: index + 1 }));
    const takeProfits = orders.filter((order) => rungOf(deal, order)?.kind === 't');
    const sold = new Set(
      takeProfits
        .filter((order) => order.status === OrderStatus.FILLED)
        .map((order) => rungOf(deal, order)!.step),
    );
    const remaining = steps.filter((step) => !sold.has(step.step));
    const trailing = deal.settings.trailingDeviation !== null;
    const placeable = remaining.filter((step) => !(trailing && step.step === steps.length));
    const share = remaining.reduce((sum, step) => sum + step.amountPercent, 0);
    const desired = placeable.map((step, index) => {
      const last = !trailing && index === placeable.length - 1;
      const others = placeable
        .slice(0, -1)
        .reduce(
          (sum, other) =>
            sum.plus(toStep(open.times(other.amountPercent / share), market.amountStep, 'down')),
          new Money(0),
        );
      return {
        step: step.step,
        price: toStep(this.targetOf(deal, trade, step.profitPercent), market.priceStep, 'near'),
        amount: last
          ? open.minus(others)
          : toStep(open.times(step.amountPercent / share), market.amountStep, 'down'),
        // The one order left to sell everything closes the trade, whatever dust remains.
        closes: last && placeable.length === 1,
      };
    });
    const current = takeProfits.filter(isOpenOrder);
    const inPlace =
      current.length === desired.length &&
      desired.every((wanted) =>
        current.some(
          (order) =>
            rungOf(deal, order)!.step === wanted.step &&
            new Money(order.price ?? 0).eq(wanted.price) &&
            new Money(order.amount).minus(order.filled).eq(wanted.amount),
        ),
      );
    if (inPlace) return;
    for (const order of current) await this.cancelQuietly(order);
    if ((await this.ordersOf(deal)).some((order) => rungOf(deal, order)?.kind === 't' && isOpenOrder(order)))
      return;
    const k = deal.takeProfitOrders + 1;
    const first = desired[0]?.price.toFixed() ?? deal.takeProfitPrice;
    await this.deals.update(
      { id: deal.id },
      { takeProfitOrders: k, takeProfitPrice: first, updatedAt: this.clock.now() },
    );
    deal.takeProfitOrders = k;
    deal.takeProfitPrice = first;
    for (const wanted of desired) {
      if (!wanted.amount.gt(0)) continue;
      await this.placeOnce(
        deal,
        steps.length > 1 ? `t${k}p${wanted.step}` : `t${k}`,
        { side: 'sell', type: 'limit', amount: wanted.amount.toFixed(), price: wanted.price.toFixed() },
        'take_profit',
        wanted.closes,
      );
    }
    this.announce('TAKE_PROFIT_UPDATED', deal, {
      steps: desired.map((wanted) => ({
        step: wanted.step,
        price: wanted.price.toNumber(),
        amount: wanted.amount.toNumber(),
      })),
    });
  }

  /**
   * The price `profitPercent` above the average entry (`total`), or where what is held would earn the
   * base order's cost times it (`base`).
   */
  private targetOf(deal: DcaDeal, trade: Trade, profitPercent = deal.settings.takeProfit): Money {
    const held = new Money(trade.entryAmount).minus(trade.entryFeeBase);
    const cost = new Money(trade.entryCost);
    const profit = profitPercent / 100;
    if (deal.settings.takeProfitType === 'base' && deal.basePrice) {
      const baseCost = new Money(deal.basePrice).times(new Money(trade.requestedAmount));
      return cost.plus(baseCost.times(profit)).div(held);
    }
    return cost.div(new Money(trade.entryAmount)).times(1 + profit);
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
    const average = new Money(trade.entryCost).div(trade.entryAmount);
    const { stopLoss, trailingDeviation, dealTimeoutMinutes, stopLossToBreakeven } = deal.settings;
    if (stopLoss !== null && bid.lte(average.times(1 - stopLoss / 100))) {
      await this.closeAtMarket(deal, 'stop_loss', false);
      return;
    }
    if (stopLossToBreakeven && bid.lte(average) && (await this.stepSold(deal))) {
      await this.closeAtMarket(deal, 'stop_loss', false);
      return;
    }
    if (
      dealTimeoutMinutes !== null &&
      this.clock.nowMs() - deal.createdAt.getTime() >= dealTimeoutMinutes * 60_000
    ) {
      await this.closeAtMarket(deal, 'timeout', false);
      return;
    }
    if (trailingDeviation === null) return;
    const steps = stepsOf(deal.settings);
    const target = this.targetOf(deal, trade, steps[steps.length - 1].profitPercent);
    if (deal.status === 'bought' && bid.gte(target)) {
      deal.trailingHigh = bid.toFixed();
      deal.takeProfitPrice = target.toFixed();
      await this.deals.update(
        { id },
        {
          status: 'ttp_activated',
          trailingHigh: deal.trailingHigh,
          takeProfitPrice: deal.takeProfitPrice,
          updatedAt: this.clock.now(),
        },
      );
      deal.status = 'ttp_activated';
      this.announce('DEAL_UPDATED', deal);
      return;
    }
    if (deal.status !== 'ttp_activated') return;
    const high = Money.max(deal.trailingHigh ?? bid, bid);
    if (high.gt(deal.trailingHigh ?? 0)) await this.deals.update({ id }, { trailingHigh: high.toFixed() });
    if (bid.lte(high.times(1 - trailingDeviation / 100)))
      await this.closeAtMarket(deal, 'trailing_take_profit', false);
  }

  /** Whether a take-profit step has sold (some of) the position. */
  private async stepSold(deal: DcaDeal): Promise<boolean> {
    return (await this.ordersOf(deal)).some(
      (order) => rungOf(deal, order)?.kind === 't' && new Money(order.filled).gt(0),
    );
  }

  /** Cancels the resting orders, then sells what the position holds at market; the close finishes the deal. */
  private async closeAtMarket(deal: DcaDeal, reason: string, serial = true): Promise<DcaDeal> {
    const run = async () => {
      deal.closeReason = reason;
      await this.deals.update({ id: deal.id }, { closeReason: reason, updatedAt: this.clock.now() });
      await this.cancelResting(deal, await this.ordersOf(deal), false);
      if (!deal.tradeId) return this.finish(deal, closedStatusOf(reason), reason);
      const trade = await this.trades.find(deal.tradeId);
      if (trade?.status === 'OPEN')
        await this.trades.close(deal.tradeId, reason === 'stop_loss' ? 'stop_loss' : reason, deal.createdBy);
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

  /** Cancels the deal's safety orders (and its take-profit orders when `withTakeProfit`) still on the book. */
  private async cancelResting(deal: DcaDeal, orders: Order[], safetyOnly: boolean): Promise<void> {
    for (const order of orders) {
      const rung = rungOf(deal, order);
      if (!rung || !isOpenOrder(order)) continue;
      if (rung.kind === 's' || (!safetyOnly && rung.kind === 't')) await this.cancelQuietly(order);
    }
  }

  private async cancelQuietly(order: Order): Promise<void> {
    try {
      await this.orders.cancel(order.id);
    } catch (error) {
      // Already final (filled or cancelled meanwhile): the next advance reads what it became.
      if (!(error instanceof ApiError && error.getStatus() === 409)) throw error;
    }
  }

  /** Places a rung's order unless it exists (a repeated or resumed advance). */
  private async placeOnce(
    deal: DcaDeal,
    rung: string,
    order: { side: 'buy' | 'sell'; type: 'limit' | 'market'; amount: string; price?: string },
    intent: string,
    closesTrade = false,
  ): Promise<void> {
    const clientOrderId = `${deal.orderKey}${rung}`;
    if (await this.orders.hasClientOrderId(clientOrderId)) return;
    try {
      await this.orders.place(
        {
          symbol: deal.symbol,
          ...order,
          clientOrderId,
          ...(deal.venue === 'exchange' ? { accountId: deal.accountId } : { paperAccount: deal.accountId }),
        },
        {
          createdBy: deal.createdBy,
          intent,
          tradeId: deal.tradeId!,
          closesTrade,
          ...(deal.botId ? { botId: deal.botId } : {}),
        },
      );
    } catch (error) {
      if (error instanceof ApiError && error.getStatus() === 409 && /clientOrderId/.test(error.message))
        return;
      throw error;
    }
  }

  private async activeDeal(id: string): Promise<DcaDeal> {
    const deal = await this.get(id);
    if (!ACTIVE_DEAL_STATUSES.includes(deal.status))
      throw ApiError.conflict(`Deal ${id} is ${deal.status}: only an active deal can be changed`);
    return deal;
  }

  private async setStatus(deal: DcaDeal, status: DealStatus): Promise<void> {
    deal.status = status;
    await this.deals.update({ id: deal.id }, { status, updatedAt: this.clock.now() });
  }

  private async finish(deal: DcaDeal, status: DealStatus, reason: string): Promise<void> {
    const now = this.clock.now();
    deal.status = status;
    deal.closeReason = reason.slice(0, 200);
    deal.closedAt = now;
    await this.deals.update(
      { id: deal.id },
      { status, closeReason: deal.closeReason, closedAt: now, updatedAt: now },
    );
    if (deal.tradeId) this.byTrade.delete(deal.tradeId);
    this.announce('DEAL_CLOSED', deal);
  }

  private announce(event: DcaEventType, deal: DcaDeal, detail: Record<string, unknown> = {}): void {
    this.events.publish('dca.deal', {
      event,
      dealId: deal.id,
      botId: deal.botId,
      symbol: deal.symbol,
      status: deal.status,
      ...detail,
    });
  }

  private serially(id: string, work: () => Promise<void>): Promise<void> {
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

export type DcaEventType =
  | 'DEAL_OPENED'
  | 'DEAL_UPDATED'
  | 'SAFETY_ORDER_PLACED'
  | 'SAFETY_ORDER_FILLED'
  | 'TAKE_PROFIT_UPDATED'
  | 'DEAL_CLOSED';

/** Percent sizes are turned into quote by the caller; deals store quote or base. */
function quoteOrBase(settings: DealSettings): 'quote' | 'base' {
  return settings.volumeType === 'base' ? 'base' : 'quote';
}

function closedStatusOf(reason: string | null): DealStatus {
  if (reason === 'stop_loss') return 'stop_loss_finished';
  if (reason === 'panic_sell') return 'panic_sold';
  return 'completed';
}
