import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { requireSymbol } from '../market/symbols';
import { TradesService } from '../trading/trades.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { DcaDeal } from './dca-deal.entity';
import { toDealDetailDto, toDealDto } from './dca-deal-view';
import { DcaDeals } from './dca-deals.service';
import type { DealDetailDto, DealDto, DealQueryDto } from './dto/dca-deal.dto';

/** Deals as the routes show them: with their trade's amounts and PnL, and the bid now for what is held. */
@Injectable()
export class DcaDealQueries {
  constructor(
    @InjectRepository(DcaDeal) private readonly deals: Repository<DcaDeal>,
    private readonly trades: TradesService,
    private readonly engine: DcaDeals,
    private readonly venues: TradingVenues,
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
      await this.engine.ordersOf(deal),
      trade?.status === 'OPEN' ? await this.bid(deal) : null,
    );
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
