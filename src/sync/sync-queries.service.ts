import { Injectable } from '@nestjs/common';
import { ApiError } from '../platform/http/api-error';
import type { AccountSnapshotDto } from './dto/sync.dto';
import type { ExchangeTradeRecord } from './exchange-trade.entity';
import { SyncRepository } from './sync.repository';

/** What syncs brought in, for reading: an account's last snapshot and its imported trades. */
@Injectable()
export class SyncQueries {
  constructor(private readonly store: SyncRepository) {}

  async snapshot(accountId: string): Promise<AccountSnapshotDto> {
    const snapshot = await this.store.snapshot(accountId);
    if (!snapshot) throw ApiError.notFound(`Exchange account ${accountId} has not been synced`);
    return {
      accountId: snapshot.accountId,
      balances: snapshot.balances,
      openOrders: snapshot.openOrders.map(({ timestamp, ...order }) => ({
        ...order,
        createdAt: new Date(timestamp).toISOString(),
      })),
      syncRunId: snapshot.syncRunId,
      takenAt: snapshot.takenAt.toISOString(),
    };
  }

  async trades(
    accountId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: ExchangeTradeRecord[]; total: number }> {
    const [items, total] = await this.store.exchangeTrades(accountId, limit, offset);
    return { items, total };
  }
}
