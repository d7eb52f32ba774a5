import { ClosedCandleWindows } from './closed-candle-windows';
import type { Candle } from './market-types';

const MINUTE = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);

const candle = (openTime: number, close = 1): Candle => ({
  openTime,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
});

/** Stored candles per symbol, read as the repository's rangeMany does; every read is recorded. */
class Store {
  readonly candles = new Map<string, Candle[]>();
  readonly reads: Array<{ symbols: string[]; from: number; to: number }> = [];

  add(symbol: string, ...times: number[]): void {
    const list = this.candles.get(symbol) ?? [];
    for (const time of times) if (!list.some((known) => known.openTime === time)) list.push(candle(time));
    list.sort((a, b) => a.openTime - b.openTime);
    this.candles.set(symbol, list);
  }

  read = (_key: string, symbols: readonly string[], _timeframe: string, from: number, to: number) => {
    this.reads.push({ symbols: [...symbols], from, to });
    return Promise.resolve(
      new Map(
        symbols.map((symbol) => [
          symbol,
          (this.candles.get(symbol) ?? []).filter((c) => c.openTime >= from && c.openTime <= to),
        ]),
      ),
    );
  };
}

const minutes = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i * MINUTE);
const times = (candles: Candle[] | undefined) => (candles ?? []).map((c) => (c.openTime - T0) / MINUTE);

describe('ClosedCandleWindows', () => {
  it('reads a whole window once, then only the candles that closed since', async () => {
    const store = new Store();
    store.add('BTC/USDT', ...minutes(T0, 20));
    store.add('ETH/USDT', ...minutes(T0, 20));
    const windows = new ClosedCandleWindows(store.read);

    const first = await windows.last('sim', ['BTC/USDT', 'ETH/USDT'], '1m', 5, T0 + 10 * MINUTE);
    expect(times(first.get('BTC/USDT'))).toEqual([5, 6, 7, 8, 9]);
    expect(times(first.get('ETH/USDT'))).toEqual([5, 6, 7, 8, 9]);
    expect(store.reads).toEqual([
      { symbols: ['BTC/USDT', 'ETH/USDT'], from: T0 + 5 * MINUTE, to: T0 + 9 * MINUTE },
    ]);

    const later = await windows.last('sim', ['BTC/USDT', 'ETH/USDT'], '1m', 5, T0 + 12 * MINUTE);
    expect(times(later.get('BTC/USDT'))).toEqual([7, 8, 9, 10, 11]);
    expect(times(later.get('ETH/USDT'))).toEqual([7, 8, 9, 10, 11]);
    expect(store.reads[1]).toEqual({
      symbols: ['BTC/USDT', 'ETH/USDT'],
      from: T0 + 10 * MINUTE,
      to: T0 + 11 * MINUTE,
    });

    // Nothing closed since: no read at all.
    const same = await windows.last('sim', ['BTC/USDT', 'ETH/USDT'], '1m', 5, T0 + 12 * MINUTE);
    expect(times(same.get('BTC/USDT'))).toEqual([7, 8, 9, 10, 11]);
    expect(store.reads).toHaveLength(2);
  });

  it('reads the whole window again when one had a gap, so a later backfill is seen', async () => {
    const store = new Store();
    store.add('BTC/USDT', ...minutes(T0, 3), T0 + 4 * MINUTE);
    const windows = new ClosedCandleWindows(store.read);
    expect(
      times((await windows.last('sim', ['BTC/USDT'], '1m', 5, T0 + 5 * MINUTE)).get('BTC/USDT')),
    ).toEqual([0, 1, 2, 4]);
    store.add('BTC/USDT', T0 + 3 * MINUTE, T0 + 5 * MINUTE);
    const filled = await windows.last('sim', ['BTC/USDT'], '1m', 5, T0 + 6 * MINUTE);
    expect(times(filled.get('BTC/USDT'))).toEqual([1, 2, 3, 4, 5]);
    expect(store.reads[1]).toEqual({ symbols: ['BTC/USDT'], from: T0 + MINUTE, to: T0 + 5 * MINUTE });
  });

  it('reads everything again after a jump longer than the window, or back in time', async () => {
    const store = new Store();
    store.add('BTC/USDT', ...minutes(T0, 40));
    const windows = new ClosedCandleWindows(store.read);
    await windows.last('sim', ['BTC/USDT'], '1m', 5, T0 + 10 * MINUTE);
    const jumped = await windows.last('sim', ['BTC/USDT'], '1m', 5, T0 + 30 * MINUTE);
    expect(times(jumped.get('BTC/USDT'))).toEqual([25, 26, 27, 28, 29]);
    expect(store.reads[1].from).toBe(T0 + 25 * MINUTE);
    const back = await windows.last('sim', ['BTC/USDT'], '1m', 5, T0 + 20 * MINUTE);
    expect(times(back.get('BTC/USDT'))).toEqual([15, 16, 17, 18, 19]);
    expect(store.reads[2].from).toBe(T0 + 15 * MINUTE);
  });

  it('keeps lengths apart: a shorter window read at the same time never answers for a longer one', async () => {
    const store = new Store();
    store.add('BTC/USDT', ...minutes(T0, 80));
    const windows = new ClosedCandleWindows(store.read);
    for (let round = 0; round < 2; round++) {
      const end = T0 + (60 + round) * MINUTE;
      const [short, long] = await Promise.all([
        windows.last('sim', ['BTC/USDT'], '1m', 25, end),
        windows.last('sim', ['BTC/USDT'], '1m', 51, end),
      ]);
      expect(short.get('BTC/USDT')).toHaveLength(25);
      expect(long.get('BTC/USDT')).toHaveLength(51);
      expect(times(long.get('BTC/USDT'))[0]).toBe(9 + round);
    }
    // The second round read only the candle that closed since, for each length.
    expect(store.reads.slice(2).map((read) => read.from)).toEqual([T0 + 60 * MINUTE, T0 + 60 * MINUTE]);
  });

  it("keeps sources, timeframes and symbols apart, and a caller cannot change a kept window's list", async () => {
    const store = new Store();
    store.add('BTC/USDT', ...minutes(T0, 20));
    const windows = new ClosedCandleWindows(store.read);
    const mine = (await windows.last('sim', ['BTC/USDT'], '1m', 5, T0 + 10 * MINUTE)).get('BTC/USDT')!;
    mine.splice(0, 5);
    expect(
      times((await windows.last('sim', ['BTC/USDT'], '1m', 5, T0 + 10 * MINUTE)).get('BTC/USDT')),
    ).toEqual([5, 6, 7, 8, 9]);
    expect(store.reads).toHaveLength(1);
    await windows.last('binance', ['BTC/USDT'], '1m', 5, T0 + 10 * MINUTE);
    await windows.last('sim', ['BTC/USDT'], '5m', 2, T0 + 10 * MINUTE);
    // A new symbol beside a kept one: one read from the start of the window covers both.
    store.add('ETH/USDT', ...minutes(T0, 20));
    const both = await windows.last('sim', ['BTC/USDT', 'ETH/USDT'], '1m', 5, T0 + 11 * MINUTE);
    expect(times(both.get('BTC/USDT'))).toEqual([6, 7, 8, 9, 10]);
    expect(times(both.get('ETH/USDT'))).toEqual([6, 7, 8, 9, 10]);
    expect(store.reads.map((read) => read.from)).toEqual([
      T0 + 5 * MINUTE,
      T0 + 5 * MINUTE,
      T0,
      T0 + 6 * MINUTE,
    ]);
  });
});
