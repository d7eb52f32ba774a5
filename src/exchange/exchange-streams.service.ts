import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { Exchange, Order } from 'ccxt';
import type { Candle } from '../market/market-types';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { errorMessage } from '../platform/errors/error-message';
import { Clock } from '../platform/time/clock';
import { CcxtModule, createCcxtInstance } from './ccxt-instance';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { loadCcxt } from './exchange-catalog.service';
import { EXCHANGE_CONNECTOR_OPTIONS, ExchangeConnectorOptions } from './exchange-connector.service';

/** Reconnection waits after a dropped stream: 0.2 s doubling up to 5 s. */
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5_000;

export interface CandleStreamHandler {
  /** A candle closed (in order, once each). */
  closed(symbol: string, candle: Candle): void;
  /** The stream is back after a drop: candles from `from` on may have been missed. */
  resumed(symbol: string, from: number): void;
}

/** An order as the account's order stream reported it. */
export interface StreamedOrder {
  id: string;
  clientOrderId: string | null;
  symbol: string;
  status: string;
  filled: number;
}

export interface StreamedOrderHandler {
  updated(orders: StreamedOrder[]): void;
  /**
   * The stream (re)connected a moment ago: what happened before it was listening (or while it was
   * down) is not in it, so the account's orders under way should be looked up once.
   */
  resync(): void;
}

/** How long after a (re)connection the order stream's listeners resync: its subscription has settled. */
const RESYNC_AFTER_MS = 1_000;

/** One watch loop: it runs while it has handlers, reconnecting after drops. */
class WatchLoop<H> {
  readonly handlers = new Set<H>();
  stopped = false;

  constructor(readonly done: Promise<void>) {}
}

/**
 * Live market and account data over the exchanges' WebSockets, through ccxt's own clients (ccxt.pro):
 * closed candles from kline streams and order updates from the account's order stream. Each watch
 * runs in a loop that reconnects after a drop (ccxt reopens the connection) and reports the gap, so the
 * caller can fetch what was missed through REST. Exchanges without streams are left to polling.
 */
@Injectable()
export class ExchangeStreams implements OnModuleDestroy {
  private readonly logger = new Logger('ExchangeStreams');
  private readonly instances = new Map<string, { version: string; exchange: Exchange }>();
  private readonly candleLoops = new Map<string, WatchLoop<CandleStreamHandler>>();
  private readonly orderLoops = new Map<string, WatchLoop<StreamedOrderHandler>>();
  private readonly ordersReady = new Set<string>();
  private stopped = false;

  constructor(
    private readonly accounts: ExchangeAccountsService,
    private readonly clock: Clock,
    @Optional() @Inject(EXCHANGE_CONNECTOR_OPTIONS) private readonly options: ExchangeConnectorOptions = {},
  ) {}

  /** Streams are used unless turned off; against a fake exchange only when the test asks for them. */
  get enabled(): boolean {
    return this.options.streams ?? this.options.redirectApiTo === undefined;
  }

  /** Whether the account's exchange has the streams (kline and order) that ccxt.pro can watch. */
  async supports(accountId: string): Promise<boolean> {
    if (!this.enabled || this.stopped) return false;
    const exchange = await this.instance(accountId).catch(() => null);
    return !!exchange && exchange.has.watchOHLCV === true && exchange.has.watchOrders === true;
  }

  /** Follows a symbol's closed candles; returns what stops following (the loop ends with its last handler). */
  watchCandles(
    accountId: string,
    symbol: string,
    timeframe: Timeframe,
    handler: CandleStreamHandler,
  ): () => void {
    const key = `${accountId}|${symbol}|${timeframe}`;
    return this.follow(this.candleLoops, key, handler, (loop) =>
      this.runCandles(accountId, symbol, timeframe, loop),
    );
  }

  /** Follows the account's order updates; returns what stops following. */
  watchOrders(accountId: string, handler: StreamedOrderHandler): () => void {
    return this.follow(this.orderLoops, accountId, handler, (loop) => this.runOrders(accountId, loop));
  }

  /** Adds a handler to the key's loop (started on first use); the loop ends with its last handler. */
  private follow<H>(
    loops: Map<string, WatchLoop<H>>,
    key: string,
    handler: H,
    run: (loop: WatchLoop<H>) => Promise<void>,
  ): () => void {
    let loop = loops.get(key);
    if (!loop) {
      const created: WatchLoop<H> = new WatchLoop(Promise.resolve().then(() => run(created)));
      loop = created;
      loops.set(key, loop);
    }
    loop.handlers.add(handler);
    const owned = loop;
    return () => {
      owned.handlers.delete(handler);
      if (owned.handlers.size === 0) {
        owned.stopped = true;
        loops.delete(key);
      }
    };
  }

  /** Accounts whose order stream is followed here. */
  get ordersFollowed(): string[] {
    return [...this.orderLoops.keys()];
  }

  /** Whether the account's order stream is connected and has resynced (fills now arrive through it). */
  ordersStreaming(accountId: string): boolean {
    return this.ordersReady.has(accountId);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const loop of [...this.candleLoops.values(), ...this.orderLoops.values()]) loop.stopped = true;
    await Promise.all(
      [...this.instances.values()].map(({ exchange }) => exchange.close().catch(() => undefined)),
    );
    await Promise.all([...this.candleLoops.values(), ...this.orderLoops.values()].map((loop) => loop.done));
  }

  private async runCandles(
    accountId: string,
    symbol: string,
    timeframe: Timeframe,
    loop: WatchLoop<CandleStreamHandler>,
  ): Promise<void> {
    const span = TIMEFRAME_MS[timeframe];
    // The newest candle reported closed; a candle is final once an update of it comes at or after its
    // close (Binance sends its last update then) or a later candle has begun.
    let closedThrough = -Infinity;
    let dropped = false;
    await this.loop(
      loop,
      `candles ${symbol} ${timeframe}`,
      async (exchange) => {
        const rows = await exchange.watchOHLCV(symbol, timeframe);
        if (dropped && Number.isFinite(closedThrough))
          for (const handler of loop.handlers) handler.resumed(symbol, closedThrough + span);
        dropped = false;
        const now = this.clock.nowMs();
        const candles = rows
          .map(([openTime, open, high, low, close, volume]) => ({
            openTime: Number(openTime),
            open: Number(open),
            high: Number(high),
            low: Number(low),
            close: Number(close),
            volume: Number(volume),
          }))
          .sort((a, b) => a.openTime - b.openTime);
        const newest = candles.length > 0 ? candles[candles.length - 1].openTime : -Infinity;
        for (const candle of candles) {
          if (candle.openTime <= closedThrough) continue;
          if (candle.openTime + span > now && candle.openTime >= newest) break;
          closedThrough = candle.openTime;
          for (const handler of loop.handlers) handler.closed(symbol, candle);
        }
      },
      () => (dropped = true),
      accountId,
    );
  }

  private async runOrders(accountId: string, loop: WatchLoop<StreamedOrderHandler>): Promise<void> {
    let connected = false;
    await this.loop(
      loop,
      'orders',
      async (exchange) => {
        const next = exchange.watchOrders();
        if (!connected) {
          connected = true;
          setTimeout(() => {
            if (loop.stopped) return;
            this.ordersReady.add(accountId);
            for (const handler of loop.handlers) handler.resync();
          }, RESYNC_AFTER_MS).unref();
        }
        const orders: Order[] = await next;
        const streamed = orders.map((order) => ({
          id: String(order.id),
          clientOrderId: order.clientOrderId ?? null,
          symbol: order.symbol ?? '',
          status: order.status ?? 'open',
          filled: Number(order.filled ?? 0),
        }));
        for (const handler of loop.handlers) handler.updated(streamed);
      },
      () => {
        connected = false;
        this.ordersReady.delete(accountId);
      },
      accountId,
    );
  }

  /** Watches until the loop stops: a failure (a dropped connection) waits, then watches again. */
  private async loop(
    loop: WatchLoop<unknown>,
    what: string,
    watch: (exchange: Exchange) => Promise<void>,
    onDrop: () => void,
    accountId: string,
  ): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!loop.stopped && !this.stopped) {
      try {
        await watch(await this.instance(accountId));
        retryMs = FIRST_RETRY_MS;
      } catch (error) {
        if (loop.stopped || this.stopped) return;
        onDrop();
        this.logger.warn(
          `${what} of account ${accountId}: ${errorMessage(error)}; watching again in ${retryMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
      }
    }
  }

  /** The account's ccxt.pro instance (one per account, rebuilt when its credentials change). */
  private async instance(accountId: string): Promise<Exchange> {
    const account = await this.accounts.get(accountId);
    const version = [
      account.exchangeId,
      account.sandbox,
      account.marketType,
      account.apiKeySealed,
      account.secretSealed,
    ].join('|');
    const cached = this.instances.get(accountId);
    if (cached?.version === version) return cached.exchange;
    if (cached) await cached.exchange.close().catch(() => undefined);
    const ccxt = await loadCcxt();
    const pro = ccxt.pro as unknown as Record<string, unknown>;
    if (typeof pro[account.exchangeId] !== 'function')
      throw new ccxt.NotSupported(`ccxt has no WebSocket client for ${account.exchangeId}`);
    const exchange = createCcxtInstance(
      ccxt.pro as unknown as CcxtModule,
      {
        exchangeId: account.exchangeId,
        credentials: this.accounts.credentialsOf(account),
        sandbox: account.sandbox,
        marketType: account.marketType,
      },
      this.options.redirectApiTo?.[account.exchangeId],
      this.options.rateLimitMs,
    );
    // ccxt needs Node's http agent for a plain ws:// URL (a loopback fake); a no-op for wss://.
    await exchange.loadHttpProxyAgent();
    this.instances.set(accountId, { version, exchange });
    return exchange;
  }
}
