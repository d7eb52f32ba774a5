/** The core market types every venue speaks: the simulated market, the paper exchange, ccxt. */

export interface Candle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-currency volume. */
  volume: number;
}

export type BookLevel = [price: number, amount: number];

export interface OrderBook {
  symbol: string;
  /** Best first. */
  bids: BookLevel[];
  asks: BookLevel[];
  timestamp: number;
}

export interface Ticker {
  symbol: string;
  last: number;
  bid: number;
  ask: number;
  high24h: number;
  low24h: number;
  /** Base-currency volume over the last 24 h. */
  volume24h: number;
  quoteVolume24h: number;
  change24hPercent: number;
  timestamp: number;
}
