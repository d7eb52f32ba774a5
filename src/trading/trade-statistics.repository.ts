import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { OrderVenue } from './order.entity';
import { Trade } from './trade.entity';

/** Whose trades: a bot's, or an account's (a paper account's name or an exchange account's id). */
export type LedgerScope = { botId: string } | { venue: OrderVenue; accountId: string };

/** A closed trade as the performance metrics read it. */
export interface LedgerTrade {
  symbol: string;
  /** Realised PnL, fees in. */
  pnl: number;
  /** pnl / initial risk; null without a stop. */
  r: number | null;
  fees: number;
  entryCost: number;
  exitCost: number;
  closedAt: number;
  durationMs: number;
  /** Seed 000's alignment of the move with Fibonacci extensions (stored when the trade closed). */
  fibonacciAlignment: number | null;
}

export interface LedgerTotals {
  /** Σ realised PnL (fees in) of the trades, open ones' partial exits included. */
  realizedPnl: number;
  /** Σ R of the closed trades that had a stop (realised PnL / initial risk). */
  cumulativeR: number;
}

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

  /** Open positions (OPEN or CLOSING). */
  open(scope: LedgerScope): Promise<Trade[]> {
    return this.scoped(scope)
      .andWhere('trade.status IN (:...live)', { live: ['OPEN', 'CLOSING'] })
      .getMany();
  }

  /**
   * Trades closed in [from, to] (of the scope, or every one), optionally of one symbol, in the order
   * they closed: the numbers the metrics read, as floats straight from the query.
   */
  async closedTrades(
    scope: LedgerScope | null,
    from: Date,
    to: Date,
    symbol?: string,
  ): Promise<LedgerTrade[]> {
    const query = (scope ? this.scoped(scope) : this.trades.createQueryBuilder('trade').where('TRUE'))
      .select('trade.symbol', 'symbol')
      .addSelect('(trade.realizedPnl)::float8', 'pnl')
      .addSelect(
        'CASE WHEN trade.initialRisk > 0 THEN (trade.realizedPnl / trade.initialRisk)::float8 END',
        'r',
      )
      .addSelect('(trade.fees)::float8', 'fees')
      .addSelect('(trade.entryCost)::float8', 'entryCost')
      .addSelect('(trade.exitCost)::float8', 'exitCost')
      .addSelect('(trade.fibonacciAlignment)::float8', 'fibonacciAlignment')
      .addSelect('(extract(epoch FROM trade.closedAt) * 1000)::float8', 'closedAt')
      .addSelect(
        '(extract(epoch FROM (trade.closedAt - COALESCE(trade.openedAt, trade.createdAt))) * 1000)::float8',
        'durationMs',
      )
      .andWhere("trade.status = 'CLOSED'")
      .andWhere('trade.closedAt >= :from AND trade.closedAt <= :to', { from, to });
    if (symbol) query.andWhere('trade.symbol = :symbol', { symbol });
    const rows = await query
      .orderBy('trade.closedAt', 'ASC')
      .addOrderBy('trade.id', 'ASC')
      .getRawMany<LedgerTrade>();
    return rows.map((row) => ({
      symbol: row.symbol,
      pnl: Number(row.pnl),
      r: row.r === null ? null : Number(row.r),
      fees: Number(row.fees),
      entryCost: Number(row.entryCost),
      exitCost: Number(row.exitCost),
      closedAt: Number(row.closedAt),
      durationMs: Number(row.durationMs),
      fibonacciAlignment: row.fibonacciAlignment === null ? null : Number(row.fibonacciAlignment),
    }));
  }

  /** Every open position, whoever holds it. */
  allOpen(): Promise<Trade[]> {
    return this.trades.find({ where: { status: In(['OPEN', 'CLOSING']) } });
  }
}
