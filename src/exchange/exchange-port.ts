import type { Candle, OrderBook, Ticker } from '../market/market-types';
import type { Timeframe } from '../market/timeframes';

export type { Candle, OrderBook, Ticker };

/**
 * One interface for every venue the engine and the order service trade on: the paper exchange and
 * live exchanges through ccxt. Amounts and prices are decimal strings; failures are ExchangeFailure
 * (insufficient_funds, invalid_order, order_not_found, bad_symbol, unavailable, ...).
 */
export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';
/** ccxt's order statuses. */
export type ExchangeOrderStatus = 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';

export interface MarketInfo {
  symbol: string;
  base: string;
  quote: string;
  active: boolean;
  /** Smallest amount and price steps. */
  amountStep: string;
  priceStep: string;
  minAmount: string;
  minNotional: string;
  makerFee: string;
  takerFee: string;
}

export interface PlaceOrderRequest {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  amount: string;
  /** Limit price (limit orders). */
  price?: string;
  /** Trigger price (stop orders: a market order once the price reaches it). */
  stopPrice?: string;
  /** Ours, unique per account: finds the order again when an answer was lost. */
  clientOrderId: string;
}

export interface ExchangeFee {
  cost: string;
  currency: string;
}

export interface ExchangeOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  status: ExchangeOrderStatus;
  amount: string;
  filled: string;
  remaining: string;
  price: string | null;
  stopPrice: string | null;
  /** Average fill price. */
  average: string | null;
  /** Quote spent or received. */
  cost: string;
  fee: ExchangeFee;
  timestamp: number;
  lastUpdate: number;
  /** Why the exchange rejected it, when it says. */
  rejectReason?: string;
  /**
   * Every fill of the order so far, when the exchange reports them with it (the paper exchange on
   * placing an order); without it they are looked up.
   */
  trades?: ExchangeTrade[];
}

export interface ExchangeTrade {
  id: string;
  orderId: string;
  symbol: string;
  side: OrderSide;
  price: string;
  amount: string;
  cost: string;
  fee: ExchangeFee;
  takerOrMaker: 'taker' | 'maker';
  timestamp: number;
}

export interface ExchangeBalance {
  currency: string;
  free: string;
  used: string;
  total: string;
}

export interface OrderReference {
  id?: string;
  clientOrderId?: string;
}

export interface ExchangePort {
  readonly exchangeId: string;
  markets(): Promise<MarketInfo[]>;
  balances(): Promise<ExchangeBalance[]>;
  createOrder(request: PlaceOrderRequest): Promise<ExchangeOrder>;
  cancelOrder(id: string, symbol: string): Promise<ExchangeOrder>;
  fetchOrder(reference: OrderReference, symbol: string): Promise<ExchangeOrder>;
  fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]>;
  fetchMyTrades(symbol?: string, since?: number): Promise<ExchangeTrade[]>;
  serverTime(): Promise<number>;
  ticker(symbol: string): Promise<Ticker>;
  /** Best levels first, at most `depth` a side. */
  orderBook(symbol: string, depth: number): Promise<OrderBook>;
  /** Closed candles from `since` on, oldest first, at most `limit`. */
  ohlcv(symbol: string, timeframe: Timeframe, since: number, limit: number): Promise<Candle[]>;
}
