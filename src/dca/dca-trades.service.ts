import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Money } from '../platform/decimal/money';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Clock } from '../platform/time/clock';
import { isFinal, OrderStatus } from '../trading/order-status';
import { OrdersService } from '../trading/orders.service';
import type { Trade } from '../trading/trade.entity';
import '../trading/trading.events';
import { TradesService } from '../trading/trades.service';
import { DcaDealOpenings } from './dca-deal-openings.service';
import { DcaDeals } from './dca-deals.service';
import { readMarket } from './dca-plans.service';
import { dealSettingsOf } from './dca-settings';
import './dca.events';

export interface DcaExecution {
  tradeId: string;
  dcaAttempt: number;
  orderId: string;
  volume: number;
  price: number | null;
  timestamp: string;
  newAverageEntry: number | null;
  success: boolean;
  reason: string;
}

/**
 * Seed 004's DCA on trades: a trade opened with `dcaEnabled` gets a safety-order ladder from the `dca`
 * runtime settings (a deal that keeps the trade's own exits), and `POST /api/dca/execute` buys more
 * of a trade at market now, within its `maxDcaAttempts`. Both only while `dca.enabled` is on.
 */
@Injectable()
export class DcaTrades implements OnModuleInit {
  private readonly logger = new Logger('DcaTrades');

  constructor(
    private readonly deals: DcaDeals,
    private readonly openings: DcaDealOpenings,
    private readonly trades: TradesService,
    private readonly orders: OrdersService,
    private readonly settings: RuntimeSettings,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.events.on('position.opened', ({ position }) => {
      if (!position.dcaEnabled || !this.settings.section('dca').enabled) return;
      void this.adopt(position.id);
    });
  }

  /** Gives a trade opened with DCA on its ladder (nothing when it has one, or none can be funded). */
  async adopt(tradeId: string): Promise<void> {
    try {
      const trade = await this.trades.find(tradeId);
      // A deal's own trade opens with DCA on too: it has its ladder.
      if (!trade || trade.status !== 'OPEN' || (await this.deals.hasDeal(tradeId))) return;
      const settings = dealSettingsOf(
        { maxSafetyOrders: trade.maxDcaAttempts > 0 ? trade.maxDcaAttempts : undefined },
        this.settings,
      );
      const deal = await this.openings.adopt(trade, settings);
      if (!deal) this.logger.warn(`trade ${tradeId}: no safety order could be funded, DCA not started`);
    } catch (error) {
      this.logger.warn(`trade ${tradeId}: DCA not started: ${errorMessage(error)}`);
    }
  }

  /** A manual safety order at market on an open trade; `volume` in the base currency (default: dca.baseVolume in quote). */
  async execute(
    tradeId: string,
    volume: string | undefined,
    reason: string,
    by: string,
  ): Promise<DcaExecution> {
    if (!this.settings.section('dca').enabled)
      throw new ApiError(409, ErrorCode.DCA_DISABLED, 'DCA is disabled (runtime setting dca.enabled)');
    const trade = await this.trades.get(tradeId);
    if (trade.status !== 'OPEN' || trade.side !== 'long')
      throw ApiError.conflict(
        `Trade ${tradeId} is ${trade.status} ${trade.side}: DCA adds to an open long position`,
      );
    const attempts = (await this.orders.ofTrade(tradeId)).filter(
      (order) =>
        order.intent === 'dca' &&
        !(
          (order.status === OrderStatus.CANCELED || order.status === OrderStatus.REJECTED) &&
          new Money(order.filled).isZero()
        ),
    ).length;
    const limit = trade.maxDcaAttempts > 0 ? trade.maxDcaAttempts : this.settings.section('dca').maxAttempts;
    if (attempts >= limit) throw ApiError.conflict(`Trade ${tradeId} has used its ${limit} DCA attempts`);
    const amount = volume ?? (await this.defaultAmount(trade));
    const order = await this.orders.place(
      {
        symbol: trade.symbol,
        side: 'buy',
        type: 'market',
        amount,
        ...(trade.venue === 'exchange' ? { accountId: trade.accountId } : { paperAccount: trade.accountId }),
      },
      { createdBy: by, intent: 'dca', tradeId, ...(trade.botId ? { botId: trade.botId } : {}) },
    );
    const after = await this.trades.get(tradeId);
    const entryAmount = new Money(after.entryAmount);
    this.events.publish('dca.executed', {
      tradeId,
      dcaAttempt: attempts + 1,
      orderId: order.id,
      status: order.status,
      reason,
    });
    return {
      tradeId,
      dcaAttempt: attempts + 1,
      orderId: order.id,
      volume: Number(order.filled !== '0' ? order.filled : order.amount),
      price: order.averagePrice === null ? null : Number(order.averagePrice),
      timestamp: (order.filledAt ?? order.createdAt ?? this.clock.now()).toISOString(),
      newAverageEntry: entryAmount.gt(0)
        ? new Money(after.entryCost).div(entryAmount).toDecimalPlaces(8).toNumber()
        : null,
      success:
        order.status === OrderStatus.FILLED ||
        (isFinal(order.status) === false && new Money(order.filled).gt(0)),
      reason,
    };
  }

  private async defaultAmount(trade: Trade): Promise<string> {
    const exchange = await this.deals.venueOf(trade);
    const { price } = await readMarket(exchange, trade.symbol, 'ask');
    return new Money(this.settings.section('dca').baseVolume).div(price).toDecimalPlaces(12).toFixed();
  }
}
