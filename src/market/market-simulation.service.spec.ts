import { loadConfig } from '../platform/config/load-config';
import { Clock } from '../platform/time/clock';
import type { CandleBatchRow, CandleRepository } from './candle.repository';
import { MarketSimulationService } from './market-simulation.service';

const DAY = 86_400_000;
const MINUTE = 60_000;

class FixedClock extends Clock {
  constructor(private readonly ms: number) {
    super();
  }
  override nowMs(): number {
    return this.ms;
  }
  override now(): Date {
    return new Date(this.ms);
  }
}

/** A candle store in memory that records the order of its writes. */
class RecordingCandles {
  readonly minutes = new Map<string, Set<number>>();
  readonly writes: Array<{ symbol: string; firstOpen: number }> = [];

  async insertMany(_exchange: string, rows: readonly CandleBatchRow[]): Promise<number> {
    const minutes = rows.filter((row) => row.timeframe === '1m');
    if (minutes.length > 0) this.writes.push({ symbol: minutes[0].symbol, firstOpen: minutes[0].openTime });
    for (const row of minutes) {
      const held = this.minutes.get(row.symbol) ?? new Set<number>();
      held.add(row.openTime);
      this.minutes.set(row.symbol, held);
    }
    return rows.length;
  }

  async coverage(
    _exchange: string,
    symbols: readonly string[],
    _timeframe: string,
    from: number,
    to: number,
  ): Promise<Map<string, { count: number; newest: number }>> {
    const result = new Map<string, { count: number; newest: number }>();
    for (const symbol of symbols) {
      const inRange = [...(this.minutes.get(symbol) ?? [])].filter((time) => time >= from && time <= to);
      if (inRange.length > 0) result.set(symbol, { count: inRange.length, newest: Math.max(...inRange) });
    }
    return result;
  }
}

describe('the simulated market backfill', () => {
  // 10:30 UTC: yesterday's whole day, and today's 630 minutes.
  const now = Date.parse('2026-11-20T10:30:10Z');
  const today = Math.floor(now / DAY) * DAY;

  function service(store: RecordingCandles, days = '1'): MarketSimulationService {
    const config = loadConfig({
      NODE_ENV: 'test',
      MARKET_BACKFILL_DAYS: days,
      // Given secrets: nothing is generated into a data folder.
      JWT_SECRET: 'backfill-spec-jwt-secret-0123456789abcdef',
      MASTER_KEY: 'cd'.repeat(32),
      DATA_DIR: '/nonexistent-backfill-spec',
    });
    return new MarketSimulationService(config, store as unknown as CandleRepository, new FixedClock(now));
  }

  it('fills the newest day first, then the days before it, and says from when the range is whole', async () => {
    const store = new RecordingCandles();
    const market = service(store);
    await market.backfill();
    const days = store.writes.map((write) => Math.floor(write.firstOpen / DAY) * DAY);
    expect(days[0]).toBe(today);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    expect(new Set(days)).toEqual(new Set([today, today - DAY]));
    const symbols = market.pairs.length;
    expect(store.writes).toHaveLength(2 * symbols);
    expect(store.minutes.get('BTC/USDT')!.size).toBe(1440 + 630);
    expect(market.progress()).toMatchObject({
      state: 'done',
      percent: 100,
      from: new Date(today - DAY).toISOString(),
      completeFrom: new Date(today - DAY).toISOString(),
      storedCandles: (1440 + 630) * symbols,
    });
  });

  it('skips the days it already has in full and fills a day that has a gap', async () => {
    const store = new RecordingCandles();
    await service(store).backfill();
    // A gap of ten minutes in BTC/USDT yesterday.
    const gapStart = today - DAY + 600 * MINUTE;
    for (let minute = 0; minute < 10; minute++)
      store.minutes.get('BTC/USDT')!.delete(gapStart + minute * MINUTE);
    store.writes.length = 0;
    const again = service(store);
    await again.backfill();
    expect(store.writes).toEqual([{ symbol: 'BTC/USDT', firstOpen: today - DAY }]);
    expect(store.minutes.get('BTC/USDT')!.size).toBe(1440 + 630);
    expect(again.progress()).toMatchObject({ state: 'done', totalCandles: 10, storedCandles: 10 });
  });

  it("stores no history with MARKET_BACKFILL_DAYS=0, not even today's minutes", async () => {
    const store = new RecordingCandles();
    const market = service(store, '0');
    await market.backfill();
    expect(store.writes).toEqual([]);
    expect(market.progress()).toMatchObject({
      state: 'done',
      totalCandles: 0,
      storedCandles: 0,
      from: new Date(today + 630 * MINUTE).toISOString(),
    });
  });
});
