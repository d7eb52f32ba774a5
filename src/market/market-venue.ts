import type { Candle, OrderBook, Ticker } from './market-types';
import type { Timeframe } from './timeframes';

/**
 * Public market data of a live exchange reached through an exchange account. The market module reads
 * it without knowing the exchange module: the exchange module registers a resolver at start-up.
 */
export interface MarketVenue {
  /** Key of the venue's candles in the store: the exchange id, plus ":sandbox" for test networks. */
  readonly candleKey: string;
  readonly exchangeId: string;
  symbols(): Promise<ReadonlySet<string>>;
  ticker(symbol: string): Promise<Ticker>;
  orderBook(symbol: string, depth: number): Promise<OrderBook>;
  ohlcv(symbol: string, timeframe: Timeframe, since: number, limit: number): Promise<Candle[]>;
}

export type MarketVenueResolver = (accountId: string) => Promise<MarketVenue>;
