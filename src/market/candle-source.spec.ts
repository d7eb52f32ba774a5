import type { CandleBatchRow, CandleRepository } from './candle.repository';
import { VenueCandleSource } from './candle-source';
import type { MarketVenue } from './market-venue';
import type { Candle } from './market-types';

const MINUTE = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);

/** A store kept in memory, answering the two queries the source makes, as the repository does. */
class MemoryCandles {
  readonly rows = new Map<number, CandleBatchRow>();

  insertMany(_exchange: string, rows: readonly CandleBatchRow[]): Promise<number> {
    for (const row of rows) if (!this.rows.has(row.openTime)) this.rows.set(row.openTime, row);
    return Promise.resolve(rows.length);
  }

  coverage(_exchange: string, symbols: readonly string[], _timeframe: string, from: number, to: number) {
    const inRange = [...this.rows.keys()].filter((time) => time >= from && time <= to);
    const result = new Map<string, { count: number; newest: number }>();
    if (inRange.length) result.set(symbols[0], { count: inRange.length, newest: Math.max(...inRange) });
    return Promise.resolve(result);
  }
}

/** An exchange that has a candle every minute up to `now`, the current (open) one included. */
function venue(now: () => number) {
  const calls: Array<{ since: number; limit: number }> = [];
  const candle = (openTime: number): Candle => ({ openTime, open: 1, high: 1, low: 1, close: 1, volume: 1 });
  const exchange: MarketVenue = {
    candleKey: 'binance',
    exchangeId: 'binance',
    symbols: () => Promise.resolve(new Set(['BTC/USDT'])),
    ticker: () => Promise.reject(new Error('not used')),
    orderBook: () => Promise.reject(new Error('not used')),
    ohlcv: (_symbol, _timeframe, since, limit) => {
      calls.push({ since, limit });
      const rows: Candle[] = [];
      for (let time = since; time <= now() && rows.length < limit; time += MINUTE) rows.push(candle(time));
      return Promise.resolve(rows);
    },
  };
  return { exchange, calls };
}

describe('VenueCandleSource', () => {
  let now: number;
  let store: MemoryCandles;
  let upstream: ReturnType<typeof venue>;
  let source: VenueCandleSource;

  beforeEach(() => {
    now = T0 + 10 * MINUTE + 5_000;
    store = new MemoryCandles();
    upstream = venue(() => now);
    source = new VenueCandleSource(
      'account-1',
      upstream.exchange,
      new Set(['BTC/USDT']),
      store as unknown as CandleRepository,
      () => now,
    );
  });

  it('fetches a range once and stores closed candles only', async () => {
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 20 * MINUTE);
    // Closed at T0 + 10 min + 5 s: the candles opening up to T0 + 9 min; the one opening at 10 is open.
    expect(upstream.calls).toEqual([{ since: T0, limit: 10 }]);
    expect([...store.rows.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => T0 + i * MINUTE),
    );
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 20 * MINUTE);
    expect(upstream.calls).toHaveLength(1);
  });

  it('waits a moment after a close before reading the candle that closed', async () => {
    now = T0 + 10 * MINUTE + 1_000;
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 20 * MINUTE);
    expect(upstream.calls).toEqual([{ since: T0, limit: 9 }]);
  });

  it('fetches only after what the store holds without a gap, and the whole range when it has one', async () => {
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 4 * MINUTE);
    now += 3 * MINUTE;
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 20 * MINUTE);
    expect(upstream.calls[1]).toEqual({ since: T0 + 5 * MINUTE, limit: 8 });

    store.rows.delete(T0 + 2 * MINUTE);
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 12 * MINUTE);
    expect(upstream.calls[2]).toEqual({ since: T0, limit: 13 });
    expect(store.rows.has(T0 + 2 * MINUTE)).toBe(true);
  });

  it('pages through a long range, at most five pages a call', async () => {
    now = T0 + 7000 * MINUTE + 5_000;
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 7000 * MINUTE);
    expect(upstream.calls.map((call) => call.since)).toEqual(
      [0, 1000, 2000, 3000, 4000].map((offset) => T0 + offset * MINUTE),
    );
    expect(store.rows.size).toBe(5000);
    await source.ensure(['BTC/USDT'], '1m', T0, T0 + 7000 * MINUTE);
    expect(upstream.calls[5]).toEqual({ since: T0 + 5000 * MINUTE, limit: 1000 });
    expect(upstream.calls[6]).toEqual({ since: T0 + 6000 * MINUTE, limit: 1000 });
    expect(store.rows.size).toBe(7000);
  });
});
