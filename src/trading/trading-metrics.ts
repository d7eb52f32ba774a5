import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MetricsService } from '../platform/metrics/metrics.service';

/** `paper`, or the exchange's id: where an order or trade went. */
const venueOf = (table = '') => `CASE WHEN ${table}venue = 'paper' THEN 'paper' ELSE ${table}exchange_id END`;

/** The trading series Prometheus reads from the ledger at each scrape (/api/metrics/trading). */
@Injectable()
export class TradingMetrics implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const rows = <T>(sql: string) => this.dataSource.query<T[]>(sql);
    this.metrics.scraped(
      'trading',
      { name: 'tradeplane_orders', help: 'Orders by venue and status', labelNames: ['venue', 'status'] },
      async () =>
        (
          await rows<{ venue: string; status: string; n: string }>(
            `SELECT ${venueOf()} AS venue, status, count(*) AS n FROM orders GROUP BY 1, 2`,
          )
        ).map((row) => [{ venue: row.venue, status: row.status }, Number(row.n)]),
    );
    this.metrics.scraped(
      'trading',
      {
        name: 'tradeplane_fills_total',
        help: 'Fills recorded, by venue',
        labelNames: ['venue'],
        type: 'counter',
      },
      async () =>
        (
          await rows<{ venue: string; n: string }>(
            `SELECT ${venueOf('o.')} AS venue, count(*) AS n FROM fills f JOIN orders o ON o.id = f.order_id GROUP BY 1`,
          )
        ).map((row) => [{ venue: row.venue }, Number(row.n)]),
    );
    const openTrades = async () =>
      rows<{ venue: string; positions: string; exposure: string | null }>(
        `SELECT ${venueOf()} AS venue, count(*) AS positions,
           SUM(entry_cost * (entry_amount - exit_amount) / NULLIF(entry_amount, 0)) AS exposure
         FROM trades WHERE status IN ('OPEN', 'CLOSING') GROUP BY 1`,
      );
    this.metrics.scraped(
      'trading',
      { name: 'tradeplane_open_positions', help: 'Open positions, by venue', labelNames: ['venue'] },
      async () => (await openTrades()).map((row) => [{ venue: row.venue }, Number(row.positions)]),
    );
    this.metrics.scraped(
      'trading',
      {
        name: 'tradeplane_open_exposure_quote',
        help: 'Quote value of the open positions at their entry prices, by venue',
        labelNames: ['venue'],
      },
      async () => (await openTrades()).map((row) => [{ venue: row.venue }, Number(row.exposure ?? 0)]),
    );
    this.metrics.scraped(
      'trading',
      {
        name: 'tradeplane_realized_pnl_quote',
        help: 'Realised PnL of all trades, fees included, in quote currency, by venue',
        labelNames: ['venue'],
      },
      async () =>
        (
          await rows<{ venue: string; pnl: string | null }>(
            `SELECT ${venueOf()} AS venue, SUM(realized_pnl) AS pnl FROM trades GROUP BY 1`,
          )
        ).map((row) => [{ venue: row.venue }, Number(row.pnl ?? 0)]),
    );
  }
}
