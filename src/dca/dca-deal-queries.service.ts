import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { requireSymbol } from '../market/symbols';
import { TradesService } from '../trading/trades.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { TradeQueries } from '../trading/trade-queries.service';
import { OrderStatus } from '../trading/order-status';
import { decimalNumber } from '../platform/decimal/money';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import type { DcaHistoryDto, DcaHistoryQueryDto, DcaStatusDto } from './dto/dca-seed.dto';
import { DcaDeal } from './dca-deal.entity';
import { toDealDetailDto, toDealDto } from './dca-deal-view';
import { DcaDealOrders } from './dca-deal-orders.service';
import { DcaDeals } from './dca-deals.service';
import type { DealDetailDto, DealDto, DealQueryDto } from './dto/dca-deal.dto';

/** Deals as the routes show them: with their trade's amounts and PnL, and the bid now for what is held. */
@Injectable()
export class DcaDealQueries {
  constructor(
    @InjectRepository(DcaDeal) private readonly deals: Repository<DcaDeal>,
    private readonly trades: TradesService,
    private readonly engine: DcaDeals,
    private readonly dealOrders: DcaDealOrders,
    private readonly venues: TradingVenues,
    private readonly tradeQueries: TradeQueries,
    private readonly settings: RuntimeSettings,
  ) {}

  async list(query: DealQueryDto): Promise<{ items: DealDto[]; total: number }> {
    const [deals, total] = await this.deals.findAndCount({
      where: {
        ...(query.botId && { botId: query.botId }),
        ...(query.symbol && { symbol: requireSymbol(query.symbol) }),
        ...(query.status && { status: query.status }),
      },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    const ids = deals.map((deal) => deal.tradeId).filter((id): id is string => id !== null);
    const trades = new Map((await this.trades.byIds(ids)).map((trade) => [trade.id, trade]));
    const items = await Promise.all(
      deals.map(async (deal) => {
        const trade = deal.tradeId ? (trades.get(deal.tradeId) ?? null) : null;
        return toDealDto(deal, trade, trade?.status === 'OPEN' ? await this.bid(deal) : null);
      }),
    );
    return { items, total };
  }

  async detail(id: string): Promise<DealDetailDto> {
    const deal = await this.engine.get(id);
    const trade = deal.tradeId ? await this.trades.find(deal.tradeId) : null;
    return toDealDetailDto(
      deal,
      trade,
      await this.dealOrders.ordersOf(deal),
      trade?.status === 'OPEN' ? await this.bid(deal) : null,
    );
  }

  async status(): Promise<DcaStatusDto> {
    const stats = await this.tradeQueries.dcaStats();
    return {
      enabled: this.settings.section('dca').enabled,
      activeTrades: stats.activeTrades,
      totalAttempts: stats.totalAttempts,
      successfulAttempts: stats.successfulAttempts,
      successRate: percent(stats.successfulAttempts, stats.totalAttempts),
      totalVolume: stats.totalVolume,
      averageAttemptsPerTrade:
        stats.dcaTrades === 0 ? 0 : Math.round((stats.totalAttempts / stats.dcaTrades) * 100) / 100,
      averageRecoveryTime: stats.averageRecoverySeconds,
      lastExecution: stats.lastExecution?.toISOString() ?? null,
    };
  }

  async history(query: DcaHistoryQueryDto): Promise<DcaHistoryDto> {
    const { items, total, successful } = await this.tradeQueries.dcaAttempts({
      ...(query.tradeId && { tradeId: query.tradeId }),
      ...(query.startDate && { from: new Date(query.startDate) }),
      ...(query.endDate && { to: new Date(query.endDate) }),
      limit: query.limit,
    });
    return {
      dcaAttempts: items.map(({ order, attempt }) => ({
        id: order.id,
        tradeId: order.tradeId,
        attempt,
        volume: decimalNumber(order.amount),
        price: order.averagePrice
          ? decimalNumber(order.averagePrice)
          : order.price
            ? decimalNumber(order.price)
            : null,
        type: order.type,
        status: order.status,
        success: order.status === OrderStatus.FILLED,
        timestamp: order.createdAt.toISOString(),
      })),
      count: total,
      successRate: percent(successful, total),
    };
  }

  /** The bid now, or null when the venue cannot say (the list still answers). */
  private async bid(deal: DcaDeal): Promise<number | null> {
    try {
      const ticker = await (await this.venues.of(deal)).ticker(deal.symbol);
      return ticker.bid ?? ticker.last ?? null;
    } catch {
      return null;
    }
  }
}

/** Seed 004's rate: `80%`. */
function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Math.round((part / whole) * 100)}%`;
}
