import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { fromThreeCommasPair, ThreeCommasDeal } from '../integrations/three-commas-client';
import { dealFinished, ThreeCommasService } from '../integrations/three-commas.service';
import { Money } from '../platform/decimal/money';
import { PositionHistoryService } from '../trading/position-history.service';
import type { Trade } from '../trading/trade.entity';
import { SyncRepository } from './sync.repository';
import type { SyncRun } from './sync-run.entity';
import type { SyncProgress } from './sync-progress';

/** Deals asked for per request (3Commas answers up to 1,000). */
const DEAL_PAGE = 100;
/** A job may wait this long for the connection's request budget (3Commas' limits are per minute). */
const JOB_WAIT_MS = 65_000;
const DEALS_STREAM = 'deals';

const CLOSE_REASONS: Record<string, string> = {
  completed: 'take_profit',
  panic_sold: 'panic_exit',
  stop_loss_finished: 'stop_loss',
  switched: 'switched',
};

function positive(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && Number(value) > 0;
}

/**
 * A finished 3Commas deal as a closed trade of ours (source 3commas, its safety orders as DCA
 * attempts), so that analytics covers it; null for a deal that did not buy and sell anything.
 */
export function dealToTrade(
  deal: ThreeCommasDeal,
  connectionId: string,
  exchangeOf: (accountId: number | undefined) => string,
  importedBy: string | null,
): Partial<Trade> | null {
  if (!positive(deal.bought_amount) || !positive(deal.sold_amount) || !deal.closed_at) return null;
  const short = deal.strategy === 'short';
  // A short deal sells first: its entry is what it sold, its exit what it bought back.
  const entry = short
    ? { amount: deal.sold_amount!, cost: deal.sold_volume ?? '0' }
    : { amount: deal.bought_amount!, cost: deal.bought_volume ?? '0' };
  const exit = short
    ? { amount: deal.bought_amount!, cost: deal.bought_volume ?? '0' }
    : { amount: deal.sold_amount!, cost: deal.sold_volume ?? '0' };
  const gross = short ? new Money(entry.cost).minus(exit.cost) : new Money(exit.cost).minus(entry.cost);
  const profit =
    deal.final_profit !== null && deal.final_profit !== undefined ? new Money(deal.final_profit) : gross;
  // What 3Commas' net profit leaves out of the gross move is what the deal paid in fees.
  const fees = gross.minus(profit);
  const maxSafetyOrders = deal.max_safety_orders ?? 0;
  return {
    id: randomUUID(),
    symbol: fromThreeCommasPair(deal.pair),
    side: short ? 'short' : 'long',
    status: 'CLOSED',
    venue: 'exchange',
    accountId: connectionId,
    exchangeId: exchangeOf(deal.account_id),
    mode: 'live',
    requestedAmount: new Money(entry.amount).toFixed(),
    entryAmount: new Money(entry.amount).toFixed(),
    entryCost: new Money(entry.cost).toFixed(),
    exitAmount: new Money(exit.amount).toFixed(),
    exitCost: new Money(exit.cost).toFixed(),
    fees: (fees.isNegative() ? new Money(0) : fees).toFixed(),
    realizedPnl: profit.toFixed(),
    dcaEnabled: maxSafetyOrders > 0,
    maxDcaAttempts: maxSafetyOrders,
    dcaAttempts: (deal.completed_safety_orders_count ?? 0) + (deal.completed_manual_safety_orders_count ?? 0),
    closeReason: (CLOSE_REASONS[deal.status] ?? deal.status).slice(0, 32),
    source: '3commas',
    externalId: `3commas:deal:${deal.id}`,
    createdBy: importedBy,
    openedAt: new Date(deal.created_at),
    closedAt: new Date(deal.closed_at),
  };
}

/**
 * Imports a 3Commas connection's finished deals into the trade history, from the cursor: the creation
 * time of the oldest deal still open at the last sync (a deal finishes after those created before it
 * may), or of the newest deal seen when none was open. Known deals are left as they are.
 */
@Injectable()
export class ThreeCommasImporter {
  constructor(
    private readonly threeCommas: ThreeCommasService,
    private readonly store: SyncRepository,
    private readonly closedPositions: PositionHistoryService,
  ) {}

  async run(run: SyncRun, progress: SyncProgress): Promise<void> {
    const connection = await this.threeCommas.get(run.accountId);
    const client = this.threeCommas.client(connection);
    const cursor = run.force ? null : await this.store.cursor(connection.id, DEALS_STREAM);
    const from = cursor ?? run.since?.toISOString();
    const accounts = await client.accounts(JOB_WAIT_MS);
    const exchanges = new Map(
      accounts.map((account) => [account.id, account.market_code ?? account.exchange_name ?? '3commas']),
    );
    const exchangeOf = (id: number | undefined) => (id !== undefined && exchanges.get(id)) || '3commas';

    let oldestOpen: string | null = null;
    let newestSeen: string | null = null;
    let notClosedOut = 0;
    for (const scope of ['active', 'finished'] as const) {
      for (let offset = 0; ; offset += DEAL_PAGE) {
        const deals = await client.deals({ scope, limit: DEAL_PAGE, offset, from }, JOB_WAIT_MS);
        for (const deal of deals) {
          if (newestSeen === null || deal.created_at > newestSeen) newestSeen = deal.created_at;
          if (!dealFinished(deal) && (oldestOpen === null || deal.created_at < oldestOpen))
            oldestOpen = deal.created_at;
        }
        if (scope === 'finished') {
          const trades = deals
            .map((deal) => dealToTrade(deal, connection.id, exchangeOf, run.requestedBy))
            .filter((trade): trade is Partial<Trade> => trade !== null);
          notClosedOut += deals.length - trades.length;
          const imported = await this.closedPositions.importClosed(trades);
          await progress.add({ fetched: deals.length, imported, skipped: trades.length - imported }, 0.5);
        } else {
          progress.details({ openDeals: offset + deals.length });
        }
        if (deals.length < DEAL_PAGE) break;
      }
    }
    progress.details({ dealsNotClosedOut: notClosedOut });
    const next = oldestOpen ?? newestSeen;
    if (next !== null) await this.store.saveCursor(connection.id, DEALS_STREAM, next);
    await this.threeCommas.recordSync(connection);
  }
}
