import type { Balances, Exchange, Market, Order, Trade } from 'ccxt';
import { AccountStatus, Dialect, DIALECTS, GENERIC_DIALECT } from './ccxt-dialects';
import type { CcxtModule } from './ccxt-instance';
import { isRetryableRead } from './exchange-errors';
import type { BookLevel } from '../market/market-types';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import type {
  Candle,
  ExchangeBalance,
  ExchangeOrder,
  ExchangeOrderStatus,
  ExchangePort,
  ExchangeTrade,
  MarketInfo,
  OrderBook,
  OrderReference,
  PlaceOrderRequest,
  Ticker,
} from './exchange-port';

export interface ReadRetry {
  attempts: number;
  baseDelayMs: number;
}

const DEFAULT_RETRY: ReadRetry = { attempts: 3, baseDelayMs: 250 };

function decimalText(value: number | undefined | null): string | null {
  return value === undefined || value === null || Number.isNaN(value) ? null : String(value);
}

/**
 * A live exchange through ccxt, behind the ExchangePort. Markets are loaded once. Reads are retried with
 * jittered exponential backoff on temporary failures (ccxt's OperationFailed); an order placement never is: its outcome is unknown
 * after a timeout, and the caller looks it up by client order id instead of sending it again.
 */
export class CcxtExchange implements ExchangePort {
  private marketsLoading: Promise<Record<string, Market>> | undefined;

  private readonly dialect: Dialect;
  /** When the exchange last answered a call of ours (ms), 0 before the first answer. */
  lastSyncMs = 0;

  constructor(
    private readonly exchange: Exchange,
    private readonly ccxt: CcxtModule,
    private readonly retry: ReadRetry = DEFAULT_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly now: () => number = Date.now,
  ) {
    this.dialect = DIALECTS[exchange.id] ?? GENERIC_DIALECT;
  }

  get exchangeId(): string {
    return this.exchange.id;
  }

  async markets(): Promise<MarketInfo[]> {
    const markets = await this.loadMarkets();
    return Object.values(markets)
      .filter((market): market is Market & object => market !== undefined)
      .map((market) => ({
        symbol: market.symbol,
        base: market.base,
        quote: market.quote,
        active: market.active !== false,
        amountStep: decimalText(market.precision.amount) ?? '0',
        priceStep: decimalText(market.precision.price) ?? '0',
        minAmount: decimalText(market.limits.amount?.min) ?? '0',
        minNotional: decimalText(market.limits.cost?.min) ?? '0',
        makerFee: decimalText(market.maker) ?? '0',
        takerFee: decimalText(market.taker) ?? '0',
      }));
  }

  async balances(): Promise<ExchangeBalance[]> {
    await this.loadMarkets();
    return this.toBalances(await this.read(() => this.exchange.fetchBalance()));
  }

  private toBalances(balance: Balances): ExchangeBalance[] {
    const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
    const free = (balance.free ?? {}) as unknown as Record<string, number | undefined>;
    const used = (balance.used ?? {}) as unknown as Record<string, number | undefined>;
    return Object.keys(totals)
      .sort()
      .map((currency) => ({
        currency,
        free: decimalText(free[currency]) ?? '0',
        used: decimalText(used[currency]) ?? '0',
        total: decimalText(totals[currency]) ?? '0',
      }));
  }

  /** Balances with the account's type and whether its key may trade, as the exchange reports them. */
  async accountStatus(marketType: string): Promise<AccountStatus> {
    await this.loadMarkets();
    const balance = await this.read(() => this.exchange.fetchBalance());
    const status = await this.read(() => this.dialect.accountStatus(this.exchange, balance, marketType));
    return { ...status, balances: this.toBalances(balance) };
  }

  /** Sent once, never retried (see the class comment). */
  async createOrder(request: PlaceOrderRequest): Promise<ExchangeOrder> {
    await this.loadMarkets();
    const params: Record<string, unknown> = { clientOrderId: request.clientOrderId };
    if (request.type === 'stop') params.stopPrice = Number(request.stopPrice);
    const order = await this.exchange.createOrder(
      request.symbol,
      request.type === 'stop' ? 'market' : request.type,
      request.side,
      Number(request.amount),
      request.type === 'limit' ? Number(request.price) : undefined,
      params,
    );
    this.lastSyncMs = this.now();
    // Some exchanges (Bybit) acknowledge a placement with its ids only: the state is read afterwards.
    if (order.status === undefined && order.id)
      return this.fetchOrder({ id: order.id, clientOrderId: request.clientOrderId }, request.symbol);
    return this.toOrder(order, request.clientOrderId);
  }

  async cancelOrder(id: string, symbol: string): Promise<ExchangeOrder> {
    await this.loadMarkets();
    const order = await this.exchange.cancelOrder(id, symbol);
    this.lastSyncMs = this.now();
    if (order.status === undefined) return this.fetchOrder({ id }, symbol);
    return this.toOrder(order);
  }

  async fetchOrder(reference: OrderReference, symbol: string): Promise<ExchangeOrder> {
    await this.loadMarkets();
    try {
      const order = await this.read(() =>
        reference.id
          ? this.exchange.fetchOrder(reference.id, symbol, this.dialect.fetchOrderParams)
          : this.exchange.fetchOrder('', symbol, {
              ...this.dialect.fetchOrderParams,
              ...this.dialect.clientOrderIdLookup(reference.clientOrderId ?? ''),
            }),
      );
      return this.toOrder(order, reference.clientOrderId);
    } catch (error) {
      const history = this.dialect.orderHistory;
      if (!(error instanceof this.ccxt.OrderNotFound) || !history) throw error;
      const found = await this.read(() => history(this.exchange, reference, symbol));
      if (!found) throw error;
      return this.toOrder(found, reference.clientOrderId);
    }
  }

  async fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]> {
    await this.loadMarkets();
    const orders = await this.read(() => this.exchange.fetchOpenOrders(symbol));
    return orders.map((order) => this.toOrder(order));
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<ExchangeTrade[]> {
    await this.loadMarkets();
    const trades = await this.read(() => this.exchange.fetchMyTrades(symbol, since));
    return trades.map((trade) => this.toTrade(trade));
  }

  /**
   * One page of the account's trades of `symbol` after `cursor` (what the previous page returned;
   * null: from the first the exchange keeps, or from `since`), oldest first, with the next cursor.
   */
  async myTradesPage(
    symbol: string,
    cursor: string | null,
    since: number | undefined,
    limit: number,
  ): Promise<{ trades: ExchangeTrade[]; cursor: string | null }> {
    await this.loadMarkets();
    const byId = this.dialect.tradesAfter;
    if (byId) {
      const page = await this.read(() => this.exchange.fetchMyTrades(symbol, undefined, limit, byId(cursor)));
      const trades = page.map((trade) => this.toTrade(trade)).sort((a, b) => Number(a.id) - Number(b.id));
      return { trades, cursor: trades.length > 0 ? trades[trades.length - 1].id : cursor };
    }
    // By time: from the last page's newest trade on (trades of that same millisecond come again and
    // are known by id); a page all of one millisecond moves past it.
    const from = cursor === null ? since : Number(cursor);
    const page = (await this.read(() => this.exchange.fetchMyTrades(symbol, from, limit))).map((trade) =>
      this.toTrade(trade),
    );
    page.sort((a, b) => a.timestamp - b.timestamp);
    if (page.length === 0) return { trades: page, cursor };
    const newest = page[page.length - 1].timestamp;
    return { trades: page, cursor: String(newest === from ? newest + 1 : newest) };
  }

  serverTime(): Promise<number> {
    return this.read(async () => Number(await this.exchange.fetchTime()));
  }

  async ticker(symbol: string): Promise<Ticker> {
    await this.loadMarkets();
    const ticker = await this.read(() => this.exchange.fetchTicker(symbol));
    const last = ticker.last ?? ticker.close ?? 0;
    return {
      symbol: ticker.symbol ?? symbol,
      last,
      bid: ticker.bid ?? last,
      ask: ticker.ask ?? last,
      high24h: ticker.high ?? last,
      low24h: ticker.low ?? last,
      volume24h: ticker.baseVolume ?? 0,
      quoteVolume24h: ticker.quoteVolume ?? (ticker.baseVolume ?? 0) * (ticker.vwap ?? last),
      change24hPercent: ticker.percentage ?? 0,
      timestamp: ticker.timestamp ?? this.now(),
    };
  }

  async orderBook(symbol: string, depth: number): Promise<OrderBook> {
    await this.loadMarkets();
    const book = await this.read(() => this.exchange.fetchOrderBook(symbol, depth));
    const levels = (side: unknown[][]): BookLevel[] =>
      side.slice(0, depth).map((level) => [Number(level[0]), Number(level[1])]);
    return {
      symbol: book.symbol ?? symbol,
      bids: levels(book.bids),
      asks: levels(book.asks),
      timestamp: book.timestamp ?? this.now(),
    };
  }

  /** Closed candles only: the exchange's current, still changing candle is left out. */
  async ohlcv(symbol: string, timeframe: Timeframe, since: number, limit: number): Promise<Candle[]> {
    await this.loadMarkets();
    const rows = await this.read(() => this.exchange.fetchOHLCV(symbol, timeframe, since, limit));
    const closedBefore = this.now() - TIMEFRAME_MS[timeframe];
    return rows
      .filter((row) => Number(row[0]) <= closedBefore && Number(row[0]) >= since)
      .map((row) => ({
        openTime: Number(row[0]),
        open: Number(row[1]),
        high: Number(row[2]),
        low: Number(row[3]),
        close: Number(row[4]),
        volume: Number(row[5]),
      }));
  }

  /** Takes its markets from another instance of the same exchange instead of loading them again. */
  useMarketsOf(source: CcxtExchange): void {
    this.marketsLoading ??= source.loadMarkets().then(
      (markets) => {
        this.exchange.setMarkets(markets);
        return markets;
      },
      (error: unknown) => {
        this.marketsLoading = undefined;
        throw error;
      },
    );
  }

  private loadMarkets(): Promise<Record<string, Market>> {
    this.marketsLoading ??= this.read(() => this.exchange.loadMarkets()).catch((error: unknown) => {
      this.marketsLoading = undefined;
      throw error;
    });
    return this.marketsLoading;
  }

  /** A read, retried on temporary failures with exponential backoff and +-50 % jitter. */
  private async read<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await call();
        this.lastSyncMs = this.now();
        return result;
      } catch (error) {
        if (attempt >= this.retry.attempts || !isRetryableRead(error, this.ccxt)) throw error;
        await this.sleep(this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      }
    }
  }

  private toOrder(order: Order, clientOrderId?: string): ExchangeOrder {
    const status = (['open', 'closed', 'canceled', 'expired', 'rejected'] as const).includes(
      order.status as ExchangeOrderStatus,
    )
      ? (order.status as ExchangeOrderStatus)
      : 'open';
    const type = order.type === 'limit' ? 'limit' : order.stopPrice || order.triggerPrice ? 'stop' : 'market';
    return {
      id: order.id ?? '',
      clientOrderId: order.clientOrderId ?? clientOrderId ?? '',
      symbol: order.symbol ?? '',
      side: order.side === 'sell' ? 'sell' : 'buy',
      type,
      status,
      amount: decimalText(order.amount) ?? '0',
      filled: decimalText(order.filled) ?? '0',
      remaining: decimalText(order.remaining) ?? '0',
      price: type === 'limit' ? decimalText(order.price) : null,
      stopPrice: decimalText(order.stopPrice ?? order.triggerPrice),
      average: decimalText(order.average),
      cost: decimalText(order.cost) ?? '0',
      fee: { cost: decimalText(order.fee?.cost) ?? '0', currency: order.fee?.currency ?? '' },
      timestamp: order.timestamp ?? 0,
      lastUpdate: order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? order.timestamp ?? 0,
    };
  }

  private toTrade(trade: Trade): ExchangeTrade {
    return {
      id: trade.id ?? '',
      orderId: trade.order ?? '',
      symbol: trade.symbol ?? '',
      side: trade.side === 'sell' ? 'sell' : 'buy',
      price: decimalText(trade.price) ?? '0',
      amount: decimalText(trade.amount) ?? '0',
      cost: decimalText(trade.cost) ?? '0',
      fee: { cost: decimalText(trade.fee?.cost) ?? '0', currency: trade.fee?.currency ?? '' },
      takerOrMaker: trade.takerOrMaker === 'maker' ? 'maker' : 'taker',
      timestamp: trade.timestamp ?? 0,
    };
  }
}
