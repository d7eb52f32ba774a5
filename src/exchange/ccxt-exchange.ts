import type { Balances, Exchange, Market, Order, Trade } from 'ccxt';
import { ExchangeCredentials } from './exchange-accounts.service';
import { isRetryableRead } from './exchange-errors';
import type {
  ExchangeBalance,
  ExchangeOrder,
  ExchangeOrderStatus,
  ExchangePort,
  ExchangeTrade,
  MarketInfo,
  OrderReference,
  PlaceOrderRequest,
} from './exchange-port';

type CcxtModule = typeof import('ccxt');

export interface CcxtAccountSettings {
  exchangeId: string;
  credentials: ExchangeCredentials;
  sandbox: boolean;
  marketType: 'spot' | 'swap';
}

export interface ReadRetry {
  attempts: number;
  baseDelayMs: number;
}

const DEFAULT_RETRY: ReadRetry = { attempts: 3, baseDelayMs: 250 };

function decimalText(value: number | undefined | null): string | null {
  return value === undefined || value === null || Number.isNaN(value) ? null : String(value);
}

/** Every API URL of an exchange with its origin replaced, so that no call can leave that host. */
function redirectApi(urls: unknown, origin: string): unknown {
  if (typeof urls === 'string') return `${origin}${new URL(urls).pathname}`;
  if (urls && typeof urls === 'object') {
    return Object.fromEntries(Object.entries(urls).map(([key, value]) => [key, redirectApi(value, origin)]));
  }
  return urls;
}

/**
 * Builds the ccxt instance of an exchange account. Only these settings reach ccxt: credentials,
 * rate limiting, sandbox, market type. `redirectApiTo` sends every API call to another origin and
 * exists for tests against a loopback fake exchange; it is never filled from a request.
 */
export function createCcxtInstance(
  ccxt: CcxtModule,
  settings: CcxtAccountSettings,
  redirectApiTo?: string,
): Exchange {
  const classes = ccxt as unknown as Record<string, new (config: Record<string, unknown>) => Exchange>;
  const ExchangeClass = classes[settings.exchangeId];
  if (typeof ExchangeClass !== 'function')
    throw new ccxt.NotSupported(`ccxt has no exchange ${settings.exchangeId}`);
  const exchange = new ExchangeClass({
    apiKey: settings.credentials.apiKey,
    secret: settings.credentials.secret,
    ...(settings.credentials.password ? { password: settings.credentials.password } : {}),
    enableRateLimit: true,
    // Markets of the account's type only; no margin pairs or currency lists (calls we do not need).
    options: {
      defaultType: settings.marketType,
      fetchMarkets: [settings.marketType === 'swap' ? 'linear' : 'spot'],
      fetchMargins: false,
      fetchCurrencies: false,
      adjustForTimeDifference: false,
    },
  });
  if (settings.sandbox) exchange.setSandboxMode(true);
  if (redirectApiTo)
    exchange.urls.api = redirectApi(exchange.urls.api, redirectApiTo) as typeof exchange.urls.api;
  return exchange;
}

/**
 * A live exchange through ccxt, behind the ExchangePort. Markets are loaded once. Reads are retried with
 * jittered exponential backoff on temporary failures (ccxt's OperationFailed); an order placement never is: its outcome is unknown
 * after a timeout, and the caller looks it up by client order id instead of sending it again.
 */
export class CcxtExchange implements ExchangePort {
  private marketsLoading: Promise<Record<string, Market>> | undefined;

  constructor(
    private readonly exchange: Exchange,
    private readonly ccxt: CcxtModule,
    private readonly retry: ReadRetry = DEFAULT_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

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
    const balance: Balances = await this.read(() => this.exchange.fetchBalance());
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
    return this.toOrder(order, request.clientOrderId);
  }

  async cancelOrder(id: string, symbol: string): Promise<ExchangeOrder> {
    await this.loadMarkets();
    return this.toOrder(await this.exchange.cancelOrder(id, symbol));
  }

  async fetchOrder(reference: OrderReference, symbol: string): Promise<ExchangeOrder> {
    await this.loadMarkets();
    const order = await this.read(() =>
      reference.id
        ? this.exchange.fetchOrder(reference.id, symbol)
        : this.exchange.fetchOrder('', symbol, { clientOrderId: reference.clientOrderId }),
    );
    return this.toOrder(order, reference.clientOrderId);
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

  serverTime(): Promise<number> {
    return this.read(async () => Number(await this.exchange.fetchTime()));
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
        return await call();
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
