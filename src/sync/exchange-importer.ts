import { Injectable } from '@nestjs/common';
import { ExchangeAccountsService } from '../exchange/exchange-accounts.service';
import { ExchangeConnector } from '../exchange/exchange-connector.service';
import { OrdersService } from '../trading/orders.service';
import { SyncRepository } from './sync.repository';
import type { SyncRun } from './sync-run.entity';
import type { SyncProgress } from './sync-progress';

/** Trades asked for per request (Binance answers up to 1,000). */
const TRADE_PAGE = 500;
/** Quote currencies a held coin is looked up against. */
const COMMON_QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'USD', 'EUR', 'BTC'];
const STREAM_PREFIX = 'trades:';

/**
 * Imports an exchange account's history: its trades of every symbol it holds or traded (fetchMyTrades,
 * page by page from each symbol's cursor), its open orders and its balances.
 */
@Injectable()
export class ExchangeImporter {
  constructor(
    private readonly connector: ExchangeConnector,
    private readonly accounts: ExchangeAccountsService,
    private readonly orders: OrdersService,
    private readonly store: SyncRepository,
  ) {}

  async run(run: SyncRun, progress: SyncProgress): Promise<void> {
    const { account, exchange } = await this.connector.connect(run.accountId);
    const balances = await exchange.balances();
    const openOrders = await exchange.fetchOpenOrders();
    const listed = new Set((await exchange.markets()).map((market) => market.symbol));
    const symbols = [...(await this.symbolsOf(run.accountId, balances, openOrders, listed))].sort();
    progress.details({ symbols: symbols.length, openOrders: openOrders.length, balances: balances.length });

    const since = run.since?.getTime();
    for (const [index, symbol] of symbols.entries()) {
      const stream = `${STREAM_PREFIX}${symbol}`;
      let cursor = run.force ? null : await this.store.cursor(run.accountId, stream);
      for (let page = 0; ; page++) {
        const next = await exchange.myTradesPage(symbol, cursor, since, TRADE_PAGE);
        const wanted =
          since === undefined ? next.trades : next.trades.filter((trade) => trade.timestamp >= since);
        const ours = await this.orders.byExchangeOrderIds(run.accountId, [
          ...new Set(wanted.map((trade) => trade.orderId)),
        ]);
        const counts = await this.store.importTradePage(
          run,
          account.exchangeId,
          stream,
          wanted,
          ours,
          next.cursor,
        );
        cursor = next.cursor;
        // Symbols done, plus a part of this one that grows with each page (its length is not known).
        await progress.add(
          { fetched: next.trades.length, ...counts },
          (index + page / (page + 1)) / symbols.length,
        );
        if (next.trades.length < TRADE_PAGE) break;
      }
    }

    const ours = await this.orders.byExchangeOrderIds(
      run.accountId,
      openOrders.map((order) => order.id),
    );
    await this.store.saveSnapshot({
      accountId: run.accountId,
      balances: balances.map(({ currency, free, used, total }) => ({ currency, free, used, total })),
      openOrders: openOrders.map((order) => ({
        id: order.id,
        clientOrderId: order.clientOrderId,
        symbol: order.symbol,
        side: order.side,
        type: order.type,
        amount: order.amount,
        filled: order.filled,
        price: order.price,
        orderId: ours.get(order.id) ?? null,
        timestamp: order.timestamp,
      })),
      syncRunId: run.id,
      takenAt: new Date(progress.now()),
    });
    if (exchange.lastSyncMs > 0) await this.accounts.recordSync(run.accountId, new Date(exchange.lastSyncMs));
  }

  /** Every market of a coin the account holds (against a quote it holds or a common one), and those traded before. */
  private async symbolsOf(
    accountId: string,
    balances: Array<{ currency: string; total: string }>,
    openOrders: Array<{ symbol: string }>,
    listed: Set<string>,
  ): Promise<Set<string>> {
    const held = new Set(balances.filter((balance) => Number(balance.total) > 0).map((b) => b.currency));
    const symbols = new Set<string>();
    for (const symbol of listed) {
      const [base, quote] = symbol.split('/');
      if (held.has(base) && (held.has(quote) || COMMON_QUOTES.includes(quote))) symbols.add(symbol);
    }
    for (const symbol of await this.orders.symbolsOrdered(accountId)) symbols.add(symbol);
    for (const symbol of await this.store.streams(accountId, STREAM_PREFIX)) symbols.add(symbol);
    for (const order of openOrders) symbols.add(order.symbol);
    return new Set([...symbols].filter((symbol) => listed.has(symbol)));
  }
}
