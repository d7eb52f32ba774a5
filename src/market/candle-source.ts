import type { CandleRepository } from './candle.repository';
import type { MarketVenue } from './market-venue';
import { Timeframe, TIMEFRAME_MS } from './timeframes';

/**
 * Where a bot or a scan reads its candles: the simulated market, which stores its own, or an
 * exchange account's venue, whose closed candles are fetched into the same store when asked for.
 */
export interface CandleSource {
  /** Key of the source's candles in the store (`simulated`, `binance`, `bybit:sandbox`, ...). */
  readonly key: string;
  /** The exchange's id (`simulated` for the simulated market). */
  readonly exchangeId: string;
  /** The symbols it lists. */
  readonly symbols: ReadonlySet<string>;
  /** The exchange account it reads, null for the simulated market. */
  readonly accountId: string | null;
  /**
   * Makes sure the closed candles of each symbol with open times in [from, through] are in the store,
   * as far as the source has them.
   */
  ensure(symbols: readonly string[], timeframe: Timeframe, from: number, through: number): Promise<void>;
}

/** Candles an exchange returns per request at most (Binance 1,000, Bybit 1,000). */
const VENUE_PAGE = 1000;
/** Pages fetched per symbol and call at most: a long gap is filled over several calls. */
const MAX_PAGES = 5;
/** An exchange's candle is read this long after its close, when its last trades are counted in. */
const CLOSE_GRACE_MS = 2000;

/** The simulated market's candles: the simulation stores them itself. */
export function simulatedCandleSource(key: string, symbols: ReadonlySet<string>): CandleSource {
  return { key, exchangeId: key, symbols, accountId: null, ensure: async () => undefined };
}

/** An exchange account's candles: what the store lacks of a range is fetched, closed candles only. */
export class VenueCandleSource implements CandleSource {
  readonly key: string;
  readonly exchangeId: string;

  constructor(
    readonly accountId: string,
    private readonly venue: MarketVenue,
    readonly symbols: ReadonlySet<string>,
    private readonly candles: CandleRepository,
    private readonly now: () => number,
  ) {
    this.key = venue.candleKey;
    this.exchangeId = venue.exchangeId;
  }

  async ensure(
    symbols: readonly string[],
    timeframe: Timeframe,
    from: number,
    through: number,
  ): Promise<void> {
    const span = TIMEFRAME_MS[timeframe];
    const first = Math.ceil(from / span) * span;
    const newestClosed = Math.floor((this.now() - CLOSE_GRACE_MS) / span) * span - span;
    const last = Math.min(Math.floor(through / span) * span, newestClosed);
    if (last < first) return;
    const stored = await this.candles.coverage(this.key, symbols, timeframe, first, last);
    for (const symbol of symbols) {
      const have = stored.get(symbol);
      // Stored candles run without a gap from `first` to their newest: fetch only after it.
      let since = have && have.count === (have.newest - first) / span + 1 ? have.newest + span : first;
      for (let page = 0; page < MAX_PAGES && since <= last; page++) {
        const wanted = Math.min(VENUE_PAGE, (last - since) / span + 1);
        const fetched = (await this.venue.ohlcv(symbol, timeframe, since, wanted)).filter(
          (candle) => candle.openTime >= since && candle.openTime <= last,
        );
        if (fetched.length === 0) break;
        await this.candles.insertMany(
          this.key,
          fetched.map((candle) => ({ ...candle, symbol, timeframe })),
        );
        since = fetched[fetched.length - 1].openTime + span;
      }
    }
  }
}
