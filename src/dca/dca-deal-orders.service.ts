import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Money } from '../platform/decimal/money';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import type { Order } from '../trading/order.entity';
import { OrderStatus } from '../trading/order-status';
import { OrdersService } from '../trading/orders.service';
import type { Trade } from '../trading/trade.entity';
import { openAmount } from '../trading/trade-view';
import { TradingVenues } from '../trading/trading-venues.service';
import { toStep } from './dca-ladder';
import { marketOf } from './dca-plans.service';
import { DcaDeal } from './dca-deal.entity';
import { announceDeal } from './dca.events';
import { failedAttempt, isOpenOrder, rungOf, stepsOf, targetOf } from './dca-rungs';

/** A safety order refused or never sent is placed again at most this many times. */
const MAX_RUNG_RETRIES = 3;

/**
 * A deal's orders on the book: the safety orders that should rest, the take-profit orders at the
 * average entry, each rung placed once through the order service by its client id, and cancelled
 * when the deal no longer wants them. DcaDeals decides when; this keeps the book as the deal says.
 */
@Injectable()
export class DcaDealOrders {
  constructor(
    @InjectRepository(DcaDeal) private readonly deals: Repository<DcaDeal>,
    private readonly orders: OrdersService,
    private readonly venues: TradingVenues,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** A deal's orders, oldest first. */
  async ordersOf(deal: DcaDeal): Promise<Order[]> {
    if (!deal.tradeId) return [];
    return this.orders.ofTrade(deal.tradeId);
  }

  /** Places the next safety orders so that `activeSafetyOrders` rest below the price, each rung once. */
  async keepSafetyOrders(deal: DcaDeal, orders: Order[]): Promise<void> {
    const safety = orders.filter((order) => rungOf(deal, order)?.kind === 's');
    const filled = safety.filter((order) => order.status === OrderStatus.FILLED).length;
    if (filled !== deal.safetyOrdersFilled) {
      for (let n = deal.safetyOrdersFilled + 1; n <= filled; n++)
        announceDeal(this.events, 'SAFETY_ORDER_FILLED', deal, { index: n });
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
      announceDeal(this.events, 'SAFETY_ORDER_PLACED', deal, {
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
  async keepTakeProfit(deal: DcaDeal, trade: Trade, orders: Order[]): Promise<void> {
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
        price: toStep(targetOf(deal, trade, step.profitPercent), market.priceStep, 'near'),
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
    announceDeal(this.events, 'TAKE_PROFIT_UPDATED', deal, {
      steps: desired.map((wanted) => ({
        step: wanted.step,
        price: wanted.price.toNumber(),
        amount: wanted.amount.toNumber(),
      })),
    });
  }

  /** Whether a take-profit step has sold (some of) the position. */
  async stepSold(deal: DcaDeal): Promise<boolean> {
    return (await this.ordersOf(deal)).some(
      (order) => rungOf(deal, order)?.kind === 't' && new Money(order.filled).gt(0),
    );
  }

  /** Cancels the deal's safety orders (and its take-profit orders when `withTakeProfit`) still on the book. */
  async cancelResting(deal: DcaDeal, orders: Order[], safetyOnly: boolean): Promise<void> {
    for (const order of orders) {
      const rung = rungOf(deal, order);
      if (!rung || !isOpenOrder(order)) continue;
      if (rung.kind === 's' || (!safetyOnly && rung.kind === 't')) await this.cancelQuietly(order);
    }
  }

  async cancelQuietly(order: Order): Promise<void> {
    try {
      await this.orders.cancel(order.id);
    } catch (error) {
      // Already final (filled or cancelled meanwhile): the next advance reads what it became.
      if (!(error instanceof ApiError && error.getStatus() === 409)) throw error;
    }
  }

  /** Places a rung's order unless it exists (a repeated or resumed advance). */
  async placeOnce(
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
}
