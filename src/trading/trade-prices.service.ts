import { Injectable, Logger } from '@nestjs/common';
import { TtlCache } from '../platform/cache/ttl-cache';
import { Clock } from '../platform/time/clock';
import { Trade } from './trade.entity';
import { holdsPosition } from './trade-view';
import { TradingVenues } from './trading-venues.service';

/** Market prices of open trades on their venues, cached a second (views price many trades at once). */
@Injectable()
export class TradePrices {
  private readonly logger = new Logger('Trades');
  private readonly cache: TtlCache<string, number>;

  constructor(
    private readonly venues: TradingVenues,
    clock: Clock,
  ) {
    this.cache = new TtlCache(1000, 5000, () => clock.nowMs());
  }

  /** The latest price of a trade's symbol on its venue (bid for longs, ask for shorts); null when unknown. */
  priceOf(trade: Trade): Promise<number | null> {
    return this.tickerPrice(trade, trade.side === 'long' ? 'bid' : 'ask');
  }

  /**
   * The last traded price of a trade's symbol, which stops and targets are watched against (as an
   * exchange triggers its stop orders, and as candles, which backtests read, record the market).
   */
  lastPriceOf(trade: Trade): Promise<number | null> {
    return this.tickerPrice(trade, 'last');
  }

  private async tickerPrice(trade: Trade, field: 'bid' | 'ask' | 'last'): Promise<number | null> {
    if (!holdsPosition(trade)) return null;
    const key = `${trade.venue}|${trade.accountId}|${trade.symbol}|${field}`;
    try {
      return await this.cache.get(key, async () => {
        const exchange = await this.venues.of(trade);
        return (await exchange.ticker(trade.symbol))[field];
      });
    } catch (error) {
      this.logger.debug(`no price for ${trade.symbol}: ${String(error)}`);
      return null;
    }
  }
}
