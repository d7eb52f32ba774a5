import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { ExchangeTrade } from '../exchange/exchange-port';
import { ExchangeAccountSnapshot } from './account-snapshot.entity';
import { ExchangeTradeRecord } from './exchange-trade.entity';
import { SyncCursor } from './sync-cursor.entity';
import { SyncRun, SyncRunState, SyncSource } from './sync-run.entity';

export interface PageCounts {
  imported: number;
  matched: number;
  skipped: number;
}

/** The queries of the sync module: runs, cursors, and the pages it imports (each with its cursor). */
@Injectable()
export class SyncRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get runs() {
    return this.dataSource.getRepository(SyncRun);
  }

  insertRun(run: Partial<SyncRun>): Promise<unknown> {
    return this.runs.insert(run);
  }

  run(id: string): Promise<SyncRun | null> {
    return this.runs.findOneBy({ id });
  }

  deleteRun(id: string): Promise<unknown> {
    return this.runs.delete({ id });
  }

  updateRun(id: string, changes: Partial<SyncRun>): Promise<unknown> {
    return this.runs.update({ id }, changes);
  }

  /** The account's run that is queued or running, if any. */
  unfinishedRun(accountId: string): Promise<SyncRun | null> {
    return this.runs.findOne({ where: { accountId, state: In(['queued', 'running'] as SyncRunState[]) } });
  }

  /** When each account's last run was asked for. */
  async lastRunTimes(): Promise<Map<string, number>> {
    const rows: Array<{ account_id: string; last: Date | string }> = await this.runs
      .createQueryBuilder('run')
      .select('run.accountId', 'account_id')
      .addSelect('MAX(run.createdAt)', 'last')
      .groupBy('run.accountId')
      .getRawMany();
    return new Map(rows.map((row) => [row.account_id, new Date(row.last).getTime()]));
  }

  listRuns(filter: {
    source?: SyncSource;
    accountId?: string;
    limit: number;
    offset: number;
  }): Promise<[SyncRun[], number]> {
    return this.runs.findAndCount({
      where: {
        ...(filter.source ? { source: filter.source } : {}),
        ...(filter.accountId ? { accountId: filter.accountId } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  async cursor(accountId: string, stream: string): Promise<string | null> {
    const row = await this.dataSource.getRepository(SyncCursor).findOneBy({ accountId, stream });
    return row?.position ?? null;
  }

  /** The streams an account has cursors of, by prefix (`trades:`): what earlier syncs went through. */
  async streams(accountId: string, prefix: string): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(SyncCursor)
      .createQueryBuilder('cursor')
      .where('cursor.accountId = :accountId AND cursor.stream LIKE :prefix', {
        accountId,
        prefix: `${prefix}%`,
      })
      .getMany();
    return rows.map((row) => row.stream.slice(prefix.length));
  }

  saveCursor(accountId: string, stream: string, position: string, manager?: EntityManager): Promise<unknown> {
    return (manager ?? this.dataSource.manager).upsert(SyncCursor, { accountId, stream, position }, [
      'accountId',
      'stream',
    ]);
  }

  /**
   * One page of an account's trades, new ones written (known ones left), with the stream's cursor
   * in the same transaction: a sync that stops after it carries on from the next page.
   */
  importTradePage(
    run: SyncRun,
    exchangeId: string,
    stream: string,
    trades: ExchangeTrade[],
    /** Our orders among the page's exchange order ids (by exchange order id). */
    ours: Map<string, string>,
    cursor: string | null,
  ): Promise<PageCounts> {
    return this.dataSource.transaction(async (manager) => {
      let inserted: Array<{ order_id: string | null }> = [];
      if (trades.length > 0) {
        const result = await manager
          .createQueryBuilder()
          .insert()
          .into(ExchangeTradeRecord)
          .values(
            trades.map((trade) => ({
              accountId: run.accountId,
              exchangeId,
              symbol: trade.symbol,
              venueTradeId: trade.id,
              venueOrderId: trade.orderId,
              orderId: ours.get(trade.orderId) ?? null,
              side: trade.side,
              price: trade.price,
              amount: trade.amount,
              cost: trade.cost,
              fee: trade.fee.cost,
              feeCurrency: trade.fee.currency.slice(0, 16),
              executedAt: new Date(trade.timestamp),
              syncRunId: run.id,
            })),
          )
          .orIgnore()
          .returning(['orderId'])
          .execute();
        inserted = result.raw as Array<{ order_id: string | null }>;
      }
      if (cursor !== null) await this.saveCursor(run.accountId, stream, cursor, manager);
      const matched = inserted.filter((row) => row.order_id !== null).length;
      return { imported: inserted.length - matched, matched, skipped: trades.length - inserted.length };
    });
  }

  saveSnapshot(snapshot: ExchangeAccountSnapshot): Promise<unknown> {
    return this.dataSource.manager.upsert(ExchangeAccountSnapshot, snapshot, ['accountId']);
  }

  snapshot(accountId: string): Promise<ExchangeAccountSnapshot | null> {
    return this.dataSource.getRepository(ExchangeAccountSnapshot).findOneBy({ accountId });
  }

  exchangeTrades(accountId: string, limit: number, offset: number): Promise<[ExchangeTradeRecord[], number]> {
    return this.dataSource.getRepository(ExchangeTradeRecord).findAndCount({
      where: { accountId },
      order: { executedAt: 'DESC', venueTradeId: 'DESC' },
      take: limit,
      skip: offset,
    });
  }
}
