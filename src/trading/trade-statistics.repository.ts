import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { OrderVenue } from './order.entity';
import { Trade } from './trade.entity';

/** Whose trades: a bot's, or an account's (a paper account's name or an exchange account's id). */
export type LedgerScope = { botId: string } | { venue: OrderVenue; accountId: string };

/** The closed trades of one symbol summed up (pnl: realised PnL, fees in; R: pnl / initial risk). */
export interface ClosedSummary {
  symbol: string;
  trades: number;
  wins: number;
  losses: number;
  pnl: number;
  grossProfit: number;
  grossLoss: number;
  fees: number;
  entryCost: number;
  /** Σ entry and exit costs. */
  volume: number;
  rSum: number;
  /** Trades with a stop (an R). */
  rCount: number;
  best: number;
  worst: number;
  /** Σ time from open to close. */
  durationMs: number;
  fibonacciSum: number;
  fibonacciCount: number;
  /** When the first and the last of them closed (epoch ms). */
  firstClosedAt: number;
  lastClosedAt: number;
}

export interface LedgerTotals {
  /** Σ realised PnL (fees in) of the trades, open ones' partial exits included. */
  realizedPnl: number;
  /** Σ R of the closed trades that had a stop (realised PnL / initial risk). */
  cumulativeR: number;
}

/** Where a scan of closed trades stopped: the last trade read (its closing time as the database wrote it). */
export interface ClosedCursor {
  at: string;
  id: string;
}

/** A closed trade as the streak scan reads it: the sign of its PnL, its R (0 without a stop), its PnL. */
export interface ClosedInOrder extends ClosedCursor {
  sign: number;
  r: number;
  pnl: number;
}

/** Streaks and the drawdown of cumulative R over closed trades in closing order, and where the scan stands. */
export interface StreakScan {
  wins: number;
  losses: number;
  maxDrawdownR: number;
  /** The highest cumulative R so far (at least 0) and cumulative R after the last trade. */
  peakR: number;
  cumulativeR: number;
  /** The sign of the last trade's PnL and how many trades in a row have had it. */
  runSign: number;
  runLength: number;
  count: number;
  pnl: number;
  last: ClosedCursor | null;
}

const HOLDS_A_POSITION =
  "(trade.status IN (:...live) OR (trade.status = 'OPENING' AND trade.entryAmount > 0))";

/** The trade ledger as analytics reads it: totals, open trades, closed trades of a period. */
@Injectable()
export class TradeStatistics {
  constructor(@InjectRepository(Trade) private readonly trades: Repository<Trade>) {}

  private scoped(scope: LedgerScope) {
    const query = this.trades.createQueryBuilder('trade');
    return 'botId' in scope
      ? query.where('trade.botId = :botId', { botId: scope.botId })
      : query.where('trade.venue = :venue AND trade.accountId = :accountId', scope);
  }

  async totals(scope: LedgerScope): Promise<LedgerTotals> {
    const row = await this.scoped(scope)
      .select('COALESCE(SUM(trade.realizedPnl), 0)::float8', 'realized')
      .addSelect(
        "COALESCE(SUM(trade.realizedPnl / trade.initialRisk) FILTER (WHERE trade.status = 'CLOSED' AND trade.initialRisk > 0), 0)::float8",
        'r',
      )
      .getRawOne<{ realized: number; r: number }>();
    return { realizedPnl: Number(row?.realized ?? 0), cumulativeR: Number(row?.r ?? 0) };
  }

  /**
   * Open positions: OPEN or CLOSING trades, and OPENING ones whose entry has partly filled (they hold
   * coins); an entry that has filled nothing yet is no position.
   */
  open(scope: LedgerScope): Promise<Trade[]> {
    return this.scoped(scope)
      .andWhere(HOLDS_A_POSITION, { live: ['OPEN', 'CLOSING'] })
      .getMany();
  }

  /**
   * Per symbol, the trades closed in [from, to] (of the scope, or every one) summed up in the database:
   * a summary row per symbol instead of a row per trade (10,000 trades answer in milliseconds).
   */
  async closedBySymbol(
    scope: LedgerScope | null,
    from: Date,
    to: Date,
    symbol?: string,
  ): Promise<ClosedSummary[]> {
    const query = (scope ? this.scoped(scope) : this.trades.createQueryBuilder('trade').where('TRUE'))
      .select('trade.symbol', 'symbol')
      .addSelect('count(*)::float8', 'trades')
      .addSelect('(count(*) FILTER (WHERE trade.realizedPnl > 0))::float8', 'wins')
      .addSelect('(count(*) FILTER (WHERE trade.realizedPnl < 0))::float8', 'losses')
      .addSelect('(sum(trade.realizedPnl))::float8', 'pnl')
      .addSelect(
        '(COALESCE(sum(trade.realizedPnl) FILTER (WHERE trade.realizedPnl > 0), 0))::float8',
        'grossProfit',
      )
      .addSelect(
        '(COALESCE(-sum(trade.realizedPnl) FILTER (WHERE trade.realizedPnl < 0), 0))::float8',
        'grossLoss',
      )
      .addSelect('(sum(trade.fees))::float8', 'fees')
      .addSelect('(sum(trade.entryCost))::float8', 'entryCost')
      .addSelect('(sum(trade.entryCost + trade.exitCost))::float8', 'volume')
      .addSelect(
        '(COALESCE(sum(trade.realizedPnl / trade.initialRisk) FILTER (WHERE trade.initialRisk > 0), 0))::float8',
        'rSum',
      )
      .addSelect('(count(*) FILTER (WHERE trade.initialRisk > 0))::float8', 'rCount')
      .addSelect('(max(trade.realizedPnl))::float8', 'best')
      .addSelect('(min(trade.realizedPnl))::float8', 'worst')
      .addSelect(
        '(sum(extract(epoch FROM (trade.closedAt - COALESCE(trade.openedAt, trade.createdAt)))) * 1000)::float8',
        'durationMs',
      )
      .addSelect('(COALESCE(sum(trade.fibonacciAlignment), 0))::float8', 'fibonacciSum')
      .addSelect('(extract(epoch FROM min(trade.closedAt)) * 1000)::float8', 'firstClosedAt')
      .addSelect('(extract(epoch FROM max(trade.closedAt)) * 1000)::float8', 'lastClosedAt')
      .addSelect('(count(trade.fibonacciAlignment))::float8', 'fibonacciCount')
      .andWhere("trade.status = 'CLOSED'")
      .andWhere('trade.closedAt >= :from AND trade.closedAt <= :to', { from, to });
    if (symbol) query.andWhere('trade.symbol = :symbol', { symbol });
    const rows = await query
      .groupBy('trade.symbol')
      .getRawMany<Record<keyof ClosedSummary, string | number>>();
    return rows.map((row) => {
      const summary = {} as Record<keyof ClosedSummary, unknown>;
      for (const [key, value] of Object.entries(row))
        summary[key as keyof ClosedSummary] = key === 'symbol' ? value : Number(value);
      return summary as unknown as ClosedSummary;
    });
  }

  /**
   * Of the trades closed in [from, to] in the order they closed: the longest runs of wins and of losses
   * (a flat trade breaks a run) and the deepest fall of cumulative R (trades without a stop count 0) from
   * its peak, starting at 0 — worked out in the database, which answers a few numbers — with where the
   * scan ended (the run under way, cumulative R, its peak, the last trade) so it can be carried on.
   */
  async closedStreaks(scope: LedgerScope | null, from: Date, to: Date, symbol?: string): Promise<StreakScan> {
    const [sql, parameters] = this.closedInOrder(scope, from, to, symbol).getQueryAndParameters();
    const [row] = await this.trades.manager.query<Array<Record<string, number | string | null>>>(
      `WITH o AS (SELECT x.sg, x.r, x.pnl, x.at, x.id, row_number() OVER (ORDER BY x.closed_at, x.id) AS n FROM (${sql}) x),
       c AS (SELECT sg, n, at, id, pnl, n - row_number() OVER (PARTITION BY sg ORDER BY n) AS grp, sum(r) OVER (ORDER BY n) AS cum FROM o),
       d AS (SELECT cum, GREATEST(max(cum) OVER (ORDER BY n), 0) AS peak FROM c),
       runs AS (SELECT sg, grp, count(*) AS k FROM c GROUP BY sg, grp),
       last AS (SELECT sg, grp, cum, at, id FROM c ORDER BY n DESC LIMIT 1)
       SELECT COALESCE((SELECT max(k) FROM runs WHERE sg > 0), 0)::float8 AS wins,
         COALESCE((SELECT max(k) FROM runs WHERE sg < 0), 0)::float8 AS losses,
         COALESCE((SELECT max(peak - cum) FROM d), 0)::float8 AS dd,
         COALESCE((SELECT max(peak) FROM d), 0)::float8 AS peak,
         COALESCE((SELECT sg FROM last), 0)::float8 AS "runSign",
         COALESCE((SELECT k FROM runs JOIN last USING (sg, grp)), 0)::float8 AS "runLength",
         COALESCE((SELECT cum FROM last), 0)::float8 AS cum,
         (SELECT at FROM last) AS "lastAt",
         (SELECT id FROM last) AS "lastId",
         (SELECT count(*) FROM c)::float8 AS count,
         COALESCE((SELECT sum(pnl) FROM c), 0)::float8 AS pnl`,
      parameters,
    );
    return {
      wins: Number(row?.wins ?? 0),
      losses: Number(row?.losses ?? 0),
      maxDrawdownR: Number(row?.dd ?? 0),
      peakR: Number(row?.peak ?? 0),
      runSign: Number(row?.runSign ?? 0),
      runLength: Number(row?.runLength ?? 0),
      cumulativeR: Number(row?.cum ?? 0),
      count: Number(row?.count ?? 0),
      pnl: Number(row?.pnl ?? 0),
      last: row?.lastAt ? { at: String(row.lastAt), id: String(row.lastId) } : null,
    };
  }

  /** The trades closed in [from, to] after a given one (in closing order, then by id), in that order. */
  async closedAfter(
    scope: LedgerScope | null,
    after: ClosedCursor,
    from: Date,
    to: Date,
    symbol?: string,
  ): Promise<ClosedInOrder[]> {
    const rows = await this.closedInOrder(scope, from, to, symbol)
      .andWhere('(trade.closedAt, trade.id) > (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))', {
        afterAt: after.at,
        afterId: after.id,
      })
      .orderBy('trade.closedAt')
      .addOrderBy('trade.id')
      .getRawMany<{
        sg: number | string;
        r: number | string;
        pnl: number | string;
        at: string;
        id: string;
      }>();
    return rows.map((row) => ({
      sign: Number(row.sg),
      r: Number(row.r),
      pnl: Number(row.pnl),
      at: row.at,
      id: row.id,
    }));
  }

  /** The closed trades of a period as the streak scan reads them; `at` as text, to the microsecond. */
  private closedInOrder(scope: LedgerScope | null, from: Date, to: Date, symbol?: string) {
    const query = (scope ? this.scoped(scope) : this.trades.createQueryBuilder('trade').where('TRUE'))
      .select('sign(trade.realizedPnl)::float8', 'sg')
      .addSelect(
        '(CASE WHEN trade.initialRisk > 0 THEN trade.realizedPnl / trade.initialRisk ELSE 0 END)::float8',
        'r',
      )
      .addSelect('(trade.realizedPnl)::float8', 'pnl')
      .addSelect('trade.closedAt', 'closed_at')
      .addSelect('(trade.closedAt)::text', 'at')
      .addSelect('(trade.id)::text', 'id')
      .andWhere("trade.status = 'CLOSED'")
      .andWhere('trade.closedAt >= :from AND trade.closedAt <= :to', { from, to });
    if (symbol) query.andWhere('trade.symbol = :symbol', { symbol });
    return query;
  }

  /** Every open position, whoever holds it. */
  allOpen(): Promise<Trade[]> {
    return this.trades
      .createQueryBuilder('trade')
      .where(HOLDS_A_POSITION, { live: ['OPEN', 'CLOSING'] })
      .getMany();
  }
}
