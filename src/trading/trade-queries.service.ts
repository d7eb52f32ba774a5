import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, In, LessThan, MoreThanOrEqual, Repository, SelectQueryBuilder } from 'typeorm';
import { requireSymbol } from '../market/symbols';
import { decimalNumber, Money } from '../platform/decimal/money';
import { Clock } from '../platform/time/clock';
import { TradeDetailDto, TradeDto, TradeHistoryQueryDto, TradeQueryDto } from './dto/trade.dto';
import { Order } from './order.entity';
import { OrderStatus } from './order-status';
import { toOrderDto } from './order-view';
import { Trade } from './trade.entity';
import { TradePrices } from './trade-prices.service';
import { LIVE_STATUSES, TradesService } from './trades.service';
import { toTradeDto } from './trade-view';

/** What the trade and position routes read: pages of trades with their totals, details, the day's summary. */
export interface HourlyTrading {
  hour: Date;
  orders: number;
  rejectedOrders: number;
  fills: number;
  trades: number;
  wins: number;
  realizedPnl: number;
}

@Injectable()
export class TradeQueries {
  constructor(
    @InjectRepository(Trade) private readonly trades: Repository<Trade>,
    @InjectRepository(Order) private readonly orderRows: Repository<Order>,
    private readonly lifecycle: TradesService,
    private readonly prices: TradePrices,
    private readonly clock: Clock,
  ) {}

  async active(
    query: TradeQueryDto,
  ): Promise<{ items: TradeDto[]; total: number; totalPnl: number; totalVolume: number }> {
    const symbol = this.symbolFilter(query.symbol);
    const [rows, total] = await this.trades.findAndCount({
      where: { status: In(LIVE_STATUSES), ...(symbol ? { symbol } : {}) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    const all =
      total > rows.length
        ? await this.trades.findBy({ status: In(LIVE_STATUSES), ...(symbol ? { symbol } : {}) })
        : rows;
    const views = await this.views(all);
    const page = new Set(rows.map((row) => row.id));
    return { items: views.filter((view) => page.has(view.id)), total, ...totals(views) };
  }

  async history(
    query: TradeHistoryQueryDto,
  ): Promise<{ items: TradeDto[]; total: number; totalPnl: number; totalVolume: number }> {
    const symbol = this.symbolFilter(query.symbol);
    const from = query.startDate ? new Date(query.startDate) : undefined;
    const to = query.endDate ? new Date(query.endDate) : undefined;
    const created =
      from && to ? Between(from, to) : from ? MoreThanOrEqual(from) : to ? LessThan(to) : undefined;
    const where = {
      ...(query.status ? { status: query.status } : {}),
      ...(symbol ? { symbol } : {}),
      ...(created ? { createdAt: created } : {}),
    };
    const [rows, total] = await this.trades.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    const sums = await this.trades
      .createQueryBuilder('trade')
      .select('COALESCE(SUM(trade.realizedPnl), 0)', 'pnl')
      .addSelect('COALESCE(SUM(trade.entryCost + trade.exitCost), 0)', 'volume')
      .where(where)
      .getRawOne<{ pnl: string; volume: string }>();
    return {
      items: await this.views(rows),
      total,
      totalPnl: decimalNumber(sums?.pnl ?? 0),
      totalVolume: decimalNumber(sums?.volume ?? 0),
    };
  }

  async detail(id: string): Promise<TradeDetailDto> {
    const trade = await this.lifecycle.get(id);
    const orders = await this.orderRows.find({ where: { tradeId: id }, order: { createdAt: 'ASC' } });
    const view = toTradeDto(trade, await this.prices.priceOf(trade));
    const dca = orders.filter((order) => order.intent === 'dca');
    const filledDca = dca.filter((order) => order.status === OrderStatus.FILLED);
    const riskShare =
      view.initialRisk && view.entryAmount && view.entryPrice
        ? view.initialRisk / (view.entryAmount * view.entryPrice)
        : null;
    return {
      ...view,
      orders: orders.map(toOrderDto),
      dcaSuccessRate: dca.length === 0 ? '0%' : `${Math.round((filledDca.length / dca.length) * 100)}%`,
      riskLevel:
        riskShare === null ? 'high' : riskShare <= 0.02 ? 'low' : riskShare <= 0.05 ? 'medium' : 'high',
      dcaHistory: dca.map((order, index) => ({
        attempt: index + 1,
        price: order.averagePrice === null ? null : Number(order.averagePrice),
        amount: Number(order.amount),
        timestamp: order.createdAt.toISOString(),
        success: order.status === OrderStatus.FILLED,
      })),
    };
  }

  /** Open positions (OPEN and CLOSING trades), newest first. */
  async positions(
    limit: number,
    offset: number,
  ): Promise<{ rows: Trade[]; total: number; prices: Map<string, number | null> }> {
    const [rows, total] = await this.trades.findAndCount({
      where: { status: In(['OPEN', 'CLOSING']) },
      order: { openedAt: 'DESC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    const prices = new Map<string, number | null>();
    for (const row of rows) prices.set(row.id, await this.prices.priceOf(row));
    return { rows, total, prices };
  }

  /** Counts for the trading status: trades ever opened, realised PnL of today's closes, last trade. */
  async summary(): Promise<{
    openPositions: number;
    dailyPnl: number;
    totalTrades: number;
    lastTradeTime: string | null;
  }> {
    const dayStart = new Date(Math.floor(this.clock.nowMs() / 86_400_000) * 86_400_000);
    const row = await this.trades
      .createQueryBuilder('trade')
      .select("COUNT(*) FILTER (WHERE trade.status <> 'CANCELED')", 'total')
      .addSelect("COUNT(*) FILTER (WHERE trade.status IN ('OPEN', 'CLOSING'))", 'open')
      .addSelect(
        "COALESCE(SUM(trade.realizedPnl) FILTER (WHERE trade.status = 'CLOSED' AND trade.closedAt >= :dayStart), 0)",
        'daily',
      )
      .addSelect('MAX(trade.createdAt)', 'last')
      .setParameter('dayStart', dayStart)
      .getRawOne<{ total: string; open: string; daily: string; last: Date | string | null }>();
    return {
      openPositions: Number(row?.open ?? 0),
      dailyPnl: decimalNumber(row?.daily ?? 0),
      totalTrades: Number(row?.total ?? 0),
      lastTradeTime: row?.last ? new Date(row.last).toISOString() : null,
    };
  }

  /**
   * DCA attempts (orders with the `dca` intent: safety orders and manual ones), newest first, with
   * their trade; `success` is a fill.
   */
  async dcaAttempts(filter: { tradeId?: string; from?: Date; to?: Date; limit: number }): Promise<{
    items: Array<{ order: Order; attempt: number }>;
    total: number;
    successful: number;
  }> {
    const where = (builder: SelectQueryBuilder<Order>) => {
      builder.where("o.intent = 'dca'");
      if (filter.tradeId) builder.andWhere('o.tradeId = :tradeId', { tradeId: filter.tradeId });
      if (filter.from) builder.andWhere('o.createdAt >= :from', { from: filter.from });
      if (filter.to) builder.andWhere('o.createdAt <= :to', { to: filter.to });
      return builder;
    };
    const [orders, counts] = await Promise.all([
      where(this.orderRows.createQueryBuilder('o'))
        .orderBy('o.createdAt', 'DESC')
        .addOrderBy('o.id', 'ASC')
        .take(filter.limit)
        .getMany(),
      where(this.orderRows.createQueryBuilder('o'))
        .select('COUNT(*)', 'total')
        .addSelect(`COUNT(*) FILTER (WHERE o.status = '${OrderStatus.FILLED}')`, 'successful')
        .getRawOne<{ total: string; successful: string }>(),
    ]);
    // Each order's attempt number on its trade (1 for the first DCA order of that trade).
    const numbers = new Map<string, number>();
    const trades = [
      ...new Set(orders.map((order) => order.tradeId).filter((id): id is string => id !== null)),
    ];
    if (trades.length > 0) {
      const rows = await this.orderRows
        .createQueryBuilder('o')
        .select('o.id', 'id')
        .addSelect('row_number() OVER (PARTITION BY o.trade_id ORDER BY o.created_at, o.id)', 'attempt')
        .where("o.intent = 'dca'")
        .andWhere('o.tradeId IN (:...trades)', { trades })
        .getRawMany<{ id: string; attempt: string }>();
      for (const row of rows) numbers.set(row.id, Number(row.attempt));
    }
    return {
      items: orders.map((order) => ({ order, attempt: numbers.get(order.id) ?? 1 })),
      total: Number(counts?.total ?? 0),
      successful: Number(counts?.successful ?? 0),
    };
  }

  /** The DCA figures of seed 004's status: trades with DCA on, attempts, fills, volume, recovery time. */
  async dcaStats(): Promise<{
    activeTrades: number;
    totalAttempts: number;
    successfulAttempts: number;
    totalVolume: number;
    dcaTrades: number;
    lastExecution: Date | null;
    averageRecoverySeconds: number | null;
  }> {
    const [row] = await this.orderRows.query<
      Array<{
        active: string;
        attempts: string;
        successful: string;
        volume: string | null;
        trades: string;
        last: Date | string | null;
        recovery: string | null;
      }>
    >(
      `SELECT
         (SELECT count(*) FROM trades WHERE dca_enabled AND status IN ('OPENING', 'OPEN', 'CLOSING')) AS active,
         count(*) AS attempts,
         count(*) FILTER (WHERE o.status = 'FILLED') AS successful,
         SUM(o.cost) FILTER (WHERE o.status = 'FILLED') AS volume,
         count(DISTINCT o.trade_id) AS trades,
         MAX(o.created_at) AS last,
         (SELECT avg(extract(epoch FROM t.closed_at - first_fill.at)) FROM trades t
            JOIN LATERAL (SELECT min(d.filled_at) AS at FROM orders d
                          WHERE d.trade_id = t.id AND d.intent = 'dca' AND d.status = 'FILLED') first_fill ON true
            WHERE t.status = 'CLOSED' AND first_fill.at IS NOT NULL AND t.realized_pnl > 0) AS recovery
       FROM orders o WHERE o.intent = 'dca'`,
    );
    return {
      activeTrades: Number(row.active),
      totalAttempts: Number(row.attempts),
      successfulAttempts: Number(row.successful),
      totalVolume: decimalNumber(row.volume ?? 0),
      dcaTrades: Number(row.trades),
      lastExecution: row.last ? new Date(row.last) : null,
      averageRecoverySeconds: row.recovery === null ? null : Math.round(Number(row.recovery)),
    };
  }

  /** Each trade closed since a time: its realised PnL (quote) and how many fills it took. */
  async closedSince(from: Date): Promise<Array<{ pnl: number; fills: number }>> {
    const rows = await this.trades.query<Array<{ pnl: string; fills: string }>>(
      `SELECT t.realized_pnl AS pnl,
         (SELECT count(*) FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.trade_id = t.id) AS fills
       FROM trades t WHERE t.status = 'CLOSED' AND t.closed_at >= $1 ORDER BY t.closed_at LIMIT 10000`,
      [from],
    );
    return rows.map((row) => ({ pnl: decimalNumber(row.pnl), fills: Number(row.fills) }));
  }

  /**
   * Trading per hour of [from, to): orders created and rejected, fills, trades closed, won, and
   * their realised PnL. Hours with nothing are left out.
   */
  async hourlyActivity(from: Date, to: Date): Promise<HourlyTrading[]> {
    const rows = await this.trades.query<
      Array<{
        hour: Date | string;
        orders: string;
        rejected: string;
        fills: string;
        trades: string;
        wins: string;
        pnl: string;
      }>
    >(
      `WITH o AS (
         SELECT to_timestamp(floor(extract(epoch FROM created_at) / 3600) * 3600) AS hour, count(*) AS orders,
           count(*) FILTER (WHERE status = 'REJECTED') AS rejected
         FROM orders WHERE created_at >= $1 AND created_at < $2 GROUP BY 1
       ), f AS (
         SELECT to_timestamp(floor(extract(epoch FROM executed_at) / 3600) * 3600) AS hour, count(*) AS fills
         FROM fills WHERE executed_at >= $1 AND executed_at < $2 GROUP BY 1
       ), t AS (
         SELECT to_timestamp(floor(extract(epoch FROM closed_at) / 3600) * 3600) AS hour, count(*) AS trades,
           count(*) FILTER (WHERE realized_pnl > 0) AS wins, SUM(realized_pnl) AS pnl
         FROM trades WHERE status = 'CLOSED' AND closed_at >= $1 AND closed_at < $2 GROUP BY 1
       )
       SELECT hour, COALESCE(o.orders, 0) AS orders, COALESCE(o.rejected, 0) AS rejected,
         COALESCE(f.fills, 0) AS fills, COALESCE(t.trades, 0) AS trades, COALESCE(t.wins, 0) AS wins,
         COALESCE(t.pnl, 0) AS pnl
       FROM o FULL JOIN f USING (hour) FULL JOIN t USING (hour) ORDER BY hour`,
      [from, to],
    );
    return rows.map((row) => ({
      hour: new Date(row.hour),
      orders: Number(row.orders),
      rejectedOrders: Number(row.rejected),
      fills: Number(row.fills),
      trades: Number(row.trades),
      wins: Number(row.wins),
      realizedPnl: decimalNumber(row.pnl),
    }));
  }

  private async views(rows: Trade[]): Promise<TradeDto[]> {
    const views: TradeDto[] = [];
    for (const row of rows) views.push(toTradeDto(row, await this.prices.priceOf(row)));
    return views;
  }

  private symbolFilter(raw: string | undefined): string | undefined {
    return raw === undefined ? undefined : requireSymbol(raw);
  }
}

function totals(views: TradeDto[]): { totalPnl: number; totalVolume: number } {
  let pnl = new Money(0);
  let volume = new Money(0);
  for (const view of views) {
    pnl = pnl.plus(view.pnl);
    volume = volume.plus(view.volume);
  }
  return { totalPnl: decimalNumber(pnl), totalVolume: decimalNumber(volume) };
}
