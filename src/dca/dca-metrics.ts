import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { MetricsService } from '../platform/metrics/metrics.service';
import { TradeQueries } from '../trading/trade-queries.service';
import { DcaDeal } from './dca-deal.entity';

/** DCA series read at each scrape (/api/metrics/trading): deals by status, DCA orders by outcome. */
@Injectable()
export class DcaMetrics implements OnModuleInit {
  constructor(
    @InjectRepository(DcaDeal) private readonly deals: Repository<DcaDeal>,
    private readonly trades: TradeQueries,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.scraped(
      'trading',
      { name: 'tradeplane_dca_deals', help: 'DCA deals by status', labelNames: ['status'] },
      async () =>
        (
          await this.deals
            .createQueryBuilder('deal')
            .select('deal.status', 'status')
            .addSelect('COUNT(*)', 'n')
            .groupBy('deal.status')
            .getRawMany<{ status: string; n: string }>()
        ).map((row) => [{ status: row.status }, Number(row.n)]),
    );
    this.metrics.scraped(
      'trading',
      {
        name: 'tradeplane_dca_attempts_total',
        help: 'DCA orders (safety orders and manual ones) by outcome: filled, or not (still resting, cancelled, rejected)',
        labelNames: ['outcome'],
        type: 'counter',
      },
      async () => {
        const stats = await this.trades.dcaStats();
        return [
          [{ outcome: 'filled' }, stats.successfulAttempts],
          [{ outcome: 'not_filled' }, stats.totalAttempts - stats.successfulAttempts],
        ];
      },
    );
  }
}
