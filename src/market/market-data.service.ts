import { decimalNumber, Money } from '../platform/decimal/money';
import { Injectable } from '@nestjs/common';
import { TtlCache } from '../platform/cache/ttl-cache';
import { AppConfig } from '../platform/config/app-config';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { CandleRepository } from './candle.repository';
import { CandleSource, simulatedCandleSource, VenueCandleSource } from './candle-source';
import { MarketDataResponseDto, MarketQueryDto } from './dto/market-query.dto';
import { indicatorSeries } from './indicators/indicator-set';
import { OrderBookResponseDto } from './dto/order-book.dto';
import { MarketSimulationService, SIMULATED_EXCHANGE } from './market-simulation.service';
import { MarketVenue, MarketVenueResolver } from './market-venue';
import type { OrderBook } from './market-types';
import { requireSymbol } from './symbols';
import { TIMEFRAME_MS } from './timeframes';

/** Candles read before the requested ones, so every returned candle has settled indicator values. */
const INDICATOR_WARMUP = 100;

/**
 * Market data for the API: candles with indicators and order books, from the simulated market or,
 * given an exchange account, from that exchange's public endpoints. A burst of identical requests
 * makes one upstream call (one-second caches).
 */
@Injectable()
export class MarketDataService {
  private readonly knownSymbols: ReadonlySet<string>;
  private readonly responses: TtlCache<string, MarketDataResponseDto>;
  private readonly books: TtlCache<string, OrderBook>;
  private venues: MarketVenueResolver | undefined;
  private readonly simulatedSource: CandleSource;

  constructor(
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
    private readonly simulation: MarketSimulationService,
    config: AppConfig,
  ) {
    this.knownSymbols = new Set(config.market.simulation ? simulation.pairs.map((pair) => pair.symbol) : []);
    this.simulatedSource = simulatedCandleSource(SIMULATED_EXCHANGE, this.knownSymbols);
    // A burst of identical requests reads the store once.
    this.responses = new TtlCache(1000, 1000, () => clock.nowMs());
    this.books = new TtlCache(1000, 1000, () => clock.nowMs());
  }

  symbols(): string[] {
    return [...this.knownSymbols];
  }

  requireKnownSymbol(raw: string): string {
    return requireSymbol(raw, this.knownSymbols);
  }

  /** The candles of an exchange account's exchange, or of the simulated market without one. */
  async candleSource(accountId?: string | null): Promise<CandleSource> {
    if (!accountId) return this.simulatedSource;
    const venue = await this.venue(accountId);
    return new VenueCandleSource(accountId, venue, await venue.symbols(), this.candles, () =>
      this.clock.nowMs(),
    );
  }

  /** Called once by the exchange module: market data of exchange accounts comes through it. */
  useVenues(resolver: MarketVenueResolver): void {
    this.venues = resolver;
  }

  async orderBook(rawSymbol: string, depth: number, accountId?: string): Promise<OrderBookResponseDto> {
    if (!accountId) {
      const symbol = this.requireKnownSymbol(rawSymbol);
      const book = this.simulation.quotes.orderBook(
        this.simulation.quotes.pairIndex(symbol),
        this.clock.nowMs(),
        depth,
      );
      return orderBookDto(book, SIMULATED_EXCHANGE);
    }
    const venue = await this.venue(accountId);
    const symbol = requireSymbol(rawSymbol, await venue.symbols());
    const book = await this.books.get(`${accountId}|${symbol}|${depth}`, () =>
      venue.orderBook(symbol, depth),
    );
    return orderBookDto(book, venue.exchangeId);
  }

  async marketData(query: MarketQueryDto): Promise<MarketDataResponseDto> {
    const source = await this.candleSource(query.accountId);
    const symbol = requireSymbol(query.symbol, source.symbols);
    const span = TIMEFRAME_MS[query.timeframe];
    // Without an end date: up to the newest closed candle, so that a burst shares one cache key.
    const to = query.endDate ? Date.parse(query.endDate) : Math.floor(this.clock.nowMs() / span) * span;
    const from = query.startDate ? Date.parse(query.startDate) : to - (query.limit + INDICATOR_WARMUP) * span;
    if (from >= to) throw ApiError.validation('startDate must be before endDate');
    const key = `${query.accountId ?? ''}|${symbol}|${query.timeframe}|${from}|${to}|${query.limit}`;
    return this.responses.get(key, async () => {
      const since = from - INDICATOR_WARMUP * span;
      const wanted = query.limit + INDICATOR_WARMUP;
      // Exchange candles are kept in the store, next to the simulated ones, and read back from it.
      await source.ensure([symbol], query.timeframe, Math.max(since, to - wanted * span), to - span);
      const history = await this.candles.range(source.key, symbol, query.timeframe, since, to, wanted);
      const values = indicatorSeries(history);
      const firstShown = Math.max(
        0,
        history.findIndex((candle) => candle.openTime >= from),
        history.length - query.limit,
      );
      const shown = history.slice(firstShown).map((candle, i) => ({
        timestamp: new Date(candle.openTime).toISOString(),
        open: candle.open,
        high: candle.high,
        low: candle.low,
        close: candle.close,
        volume: candle.volume,
        indicators: values[firstShown + i],
      }));
      return {
        symbol,
        timeframe: query.timeframe,
        exchange: source.exchangeId,
        candles: shown,
        indicators: values[values.length - 1] ?? emptyIndicators(),
      };
    });
  }

  private venue(accountId: string): Promise<MarketVenue> {
    if (!this.venues) throw ApiError.unavailable('Exchange accounts are not available yet');
    return this.venues(accountId);
  }
}

function orderBookDto(book: OrderBook, exchange: string): OrderBookResponseDto {
  const bestBid = book.bids[0]?.[0];
  const bestAsk = book.asks[0]?.[0];
  const mid = decimalNumber(
    bestBid !== undefined && bestAsk !== undefined
      ? new Money(bestBid).plus(bestAsk).div(2)
      : (bestBid ?? bestAsk ?? 0),
  );
  const spread =
    bestBid !== undefined && bestAsk !== undefined ? decimalNumber(new Money(bestAsk).minus(bestBid)) : 0;
  return {
    symbol: book.symbol,
    exchange,
    bids: book.bids,
    asks: book.asks,
    mid,
    spread,
    spreadBps: mid > 0 ? Math.round((spread / mid) * 1_000_000) / 100 : 0,
    timestamp: new Date(book.timestamp).toISOString(),
  };
}

function emptyIndicators(): MarketDataResponseDto['indicators'] {
  return {
    sma20: null,
    ema20: null,
    rsi: null,
    macd: null,
    macdSignal: null,
    macdHistogram: null,
    bollingerUpper: null,
    bollingerMiddle: null,
    bollingerLower: null,
    atr: null,
  };
}
