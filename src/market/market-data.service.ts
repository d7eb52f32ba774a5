import { Injectable } from '@nestjs/common';
import { TtlCache } from '../platform/cache/ttl-cache';
import { AppConfig } from '../platform/config/app-config';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { CandleRepository } from './candle.repository';
import { MarketDataResponseDto, MarketQueryDto } from './dto/market-query.dto';
import { indicatorSeries } from './indicators/indicator-set';
import { OrderBookResponseDto } from './dto/order-book.dto';
import { MarketSimulationService, SIMULATED_EXCHANGE } from './market-simulation.service';
import { requireSymbol } from './symbols';
import { TIMEFRAME_MS } from './timeframes';

/** Candles read before the requested ones, so every returned candle has settled indicator values. */
const INDICATOR_WARMUP = 100;

/** Market data for the API: candles with indicators, tickers and order books (more sources to come). */
@Injectable()
export class MarketDataService {
  private readonly knownSymbols: ReadonlySet<string>;
  private readonly responses: TtlCache<string, MarketDataResponseDto>;

  constructor(
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
    private readonly simulation: MarketSimulationService,
    config: AppConfig,
  ) {
    this.knownSymbols = new Set(config.market.simulation ? simulation.pairs.map((pair) => pair.symbol) : []);
    // A burst of identical requests reads the store once.
    this.responses = new TtlCache(1000, 1000, () => clock.nowMs());
  }

  symbols(): string[] {
    return [...this.knownSymbols];
  }

  requireKnownSymbol(raw: string): string {
    return requireSymbol(raw, this.knownSymbols);
  }

  orderBook(rawSymbol: string, depth: number): OrderBookResponseDto {
    const symbol = this.requireKnownSymbol(rawSymbol);
    const book = this.simulation.quotes.orderBook(
      this.simulation.quotes.pairIndex(symbol),
      this.clock.nowMs(),
      depth,
    );
    const bestBid = book.bids[0][0];
    const bestAsk = book.asks[0][0];
    const mid = (bestBid + bestAsk) / 2;
    return {
      symbol,
      exchange: SIMULATED_EXCHANGE,
      bids: book.bids,
      asks: book.asks,
      mid,
      spread: bestAsk - bestBid,
      spreadBps: Math.round(((bestAsk - bestBid) / mid) * 1_000_000) / 100,
      timestamp: new Date(book.timestamp).toISOString(),
    };
  }

  async marketData(query: MarketQueryDto): Promise<MarketDataResponseDto> {
    const symbol = this.requireKnownSymbol(query.symbol);
    const span = TIMEFRAME_MS[query.timeframe];
    const to = query.endDate ? Date.parse(query.endDate) : this.clock.nowMs();
    const from = query.startDate ? Date.parse(query.startDate) : to - (query.limit + INDICATOR_WARMUP) * span;
    if (from >= to) throw ApiError.validation('startDate must be before endDate');
    const key = `${symbol}|${query.timeframe}|${from}|${to}|${query.limit}`;
    return this.responses.get(key, async () => {
      const history = await this.candles.range(
        SIMULATED_EXCHANGE,
        symbol,
        query.timeframe,
        from - INDICATOR_WARMUP * span,
        to,
        query.limit + INDICATOR_WARMUP,
      );
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
        exchange: SIMULATED_EXCHANGE,
        candles: shown,
        indicators: values[values.length - 1] ?? emptyIndicators(),
      };
    });
  }
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
