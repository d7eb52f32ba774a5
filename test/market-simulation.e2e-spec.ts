import { DataSource } from 'typeorm';
import { CandleRepository } from '../src/market/candle.repository';
import { MarketSimulationService, SIMULATED_EXCHANGE } from '../src/market/market-simulation.service';
import { DAY_MS, MINUTE_MS } from '../src/market/simulated-market';
import { indicatorSeries } from '../src/market/indicators/indicator-set';
import { aggregateCandles, TIMEFRAME_MS } from '../src/market/timeframes';
import { call, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

// The backfill of five days competes with the rest of the suite for the CPU; the deadline only stops a hang.
jest.setTimeout(300_000);

describe('the simulated market on a fresh start', () => {
  let t: TestApp;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    t = await startTestApp({ MARKET_BACKFILL_DAYS: '5', MARKET_SEED: '7' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers health at once while it backfills, and reports the progress in /api/status', async () => {
    // Health answers while the backfill is still running (it runs after the server listens).
    expect((await call(t, 'GET', '/api/health')).status).toBe(200);
    expect(['pending', 'running']).toContain(t.app.get(MarketSimulationService).progress().state);
    const progress = await t.app.get(MarketSimulationService).whenBackfilled();
    expect(progress).toMatchObject({ state: 'done', percent: 100, symbols: 30, error: null });
    expect(progress.storedCandles).toBe(progress.totalCandles);
    const token = (await loginAdmin(t)).accessToken;
    const status = await call<{ market: { backfill: { state: string; storedCandles: number } } }>(
      t,
      'GET',
      '/api/status',
      { token },
    );
    expect(status.body.market.backfill).toMatchObject({
      state: 'done',
      storedCandles: progress.storedCandles,
    });
  });

  /** The instant the backfill counted its days back from (its `to`), once it is done. */
  const backfilledTo = async (): Promise<number> => {
    const progress = await t.app.get(MarketSimulationService).whenBackfilled();
    expect(progress.state).toBe('done');
    const to = Date.parse(progress.to!);
    // A real instant of this run: after the app started, not in the future.
    expect(to).toBeGreaterThanOrEqual(Math.floor(startedAt / MINUTE_MS) * MINUTE_MS);
    expect(to).toBeLessThanOrEqual(Date.now());
    return to;
  };

  it('stores every minute since 00:00 UTC five days ago for every symbol, without gaps', async () => {
    // "Five days ago" from the instant the backfill ran, not from now: the two differ across midnight.
    const fiveDaysAgo = Math.floor((await backfilledTo()) / DAY_MS) * DAY_MS - 5 * DAY_MS;
    const dataSource = t.app.get(DataSource);
    const rows = await dataSource.query<Array<{ symbol: string; n: number; first: Date; gaps: number }>>(
      `SELECT symbol, count(*)::int AS n, min(open_time) AS first,
              count(*) FILTER (WHERE step IS NOT NULL AND step <> interval '1 minute')::int AS gaps
       FROM (SELECT symbol, open_time, open_time - lag(open_time) OVER (PARTITION BY symbol ORDER BY open_time) AS step
             FROM candles WHERE exchange = $1 AND timeframe = '1m') x
       GROUP BY symbol`,
      [SIMULATED_EXCHANGE],
    );
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(row.first.getTime()).toBe(fiveDaysAgo);
      expect(row.gaps).toBe(0);
      expect(row.n).toBeGreaterThanOrEqual(5 * 1440);
    }
  });

  it('stores higher timeframes that equal the aggregation of the stored minutes', async () => {
    const candles = t.app.get(CandleRepository);
    // The last whole day before the backfill's instant: in the backfill, whenever this runs.
    const dayStart = Math.floor((await backfilledTo()) / DAY_MS) * DAY_MS - DAY_MS;
    const minutes = await candles.range(
      SIMULATED_EXCHANGE,
      'ETH/USDT',
      '1m',
      dayStart,
      dayStart + DAY_MS,
      5000,
    );
    expect(minutes).toHaveLength(1440);
    for (const timeframe of ['5m', '1h', '1d'] as const) {
      const stored = await candles.range(
        SIMULATED_EXCHANGE,
        'ETH/USDT',
        timeframe,
        dayStart,
        dayStart + DAY_MS,
        5000,
      );
      const expected = aggregateCandles(minutes, MINUTE_MS, TIMEFRAME_MS[timeframe]);
      expect(stored).toHaveLength(expected.length);
      stored.forEach((candle, i) => {
        expect(candle.openTime).toBe(expected[i].openTime);
        expect(candle.close).toBeCloseTo(expected[i].close, 9);
        expect(candle.high).toBeCloseTo(expected[i].high, 9);
        expect(candle.volume / expected[i].volume).toBeCloseTo(1, 9);
      });
    }
  });

  it('GET /api/analytics/market returns 100 hourly candles with indicators, for any spelling of the symbol', async () => {
    await t.app.get(MarketSimulationService).whenBackfilled();
    const token = (await loginAdmin(t)).accessToken;
    type Market = {
      symbol: string;
      timeframe: string;
      candles: Array<{ timestamp: string; close: number; indicators: Record<string, number | null> }>;
      indicators: Record<string, number | null>;
    };
    const response = await call<Market>(
      t,
      'GET',
      '/api/analytics/market?symbol=BTC-USDT&timeframe=1h&limit=100',
      { token },
    );
    expect(response.status).toBe(200);
    expect(response.body.symbol).toBe('BTC/USDT');
    expect(response.body.candles).toHaveLength(100);
    const times = response.body.candles.map((candle) => Date.parse(candle.timestamp));
    times.forEach((time, i) => i > 0 && expect(time - times[i - 1]).toBe(3_600_000));
    const newest = response.body.candles[99];
    for (const name of [
      'rsi',
      'macd',
      'macdSignal',
      'bollingerUpper',
      'bollingerMiddle',
      'bollingerLower',
      'atr',
      'sma20',
      'ema20',
    ]) {
      expect(typeof newest.indicators[name]).toBe('number');
    }
    expect(response.body.indicators).toEqual(newest.indicators);
    expect(newest.indicators.rsi).toBeGreaterThanOrEqual(0);
    expect(newest.indicators.rsi).toBeLessThanOrEqual(100);
    expect(newest.indicators.bollingerUpper).toBeGreaterThan(newest.indicators.bollingerLower!);
    // The values are those of the indicators over the stored series.
    const stored = await t.app
      .get(CandleRepository)
      .range(SIMULATED_EXCHANGE, 'BTC/USDT', '1h', 0, Date.now(), 5000);
    const expected = indicatorSeries(stored);
    expect(newest.indicators.rsi).toBeCloseTo(expected[expected.length - 1].rsi!, 9);
    for (const spelling of ['BTCUSDT', 'btc_usdt', 'BTC%2FUSDT']) {
      const same = await call<Market>(
        t,
        'GET',
        `/api/analytics/market?symbol=${spelling}&timeframe=1h&limit=100`,
        { token },
      );
      expect(same.body.candles.map((c) => c.close)).toEqual(response.body.candles.map((c) => c.close));
    }
  });

  it('answers bad market queries with a 400 that names the problem', async () => {
    const token = (await loginAdmin(t)).accessToken;
    const unknown = await call(t, 'GET', '/api/analytics/market?symbol=FOO-USDT', { token });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('INVALID_SYMBOL');
    for (const query of [
      'symbol=BTC-USDT&timeframe=2h',
      'symbol=BTC-USDT&limit=501',
      'symbol=BTC-USDT&limit=0',
      'timeframe=1h',
      'symbol=BTC-USDT&startDate=yesterday',
    ]) {
      const response = await call(t, 'GET', `/api/analytics/market?${query}`, { token });
      expect({ query, status: response.status, error: response.body.error }).toEqual({
        query,
        status: 400,
        error: 'VALIDATION_ERROR',
      });
    }
    const reversed = await call(
      t,
      'GET',
      '/api/analytics/market?symbol=BTC-USDT&startDate=2026-01-02T00:00:00Z&endDate=2026-01-01T00:00:00Z',
      { token },
    );
    expect(reversed.status).toBe(400);
  });

  it('GET /api/orderbook/:symbol answers the book for every spelling of the symbol', async () => {
    const token = (await loginAdmin(t)).accessToken;
    type Book = {
      symbol: string;
      bids: Array<[number, number]>;
      asks: Array<[number, number]>;
      mid: number;
      spread: number;
      spreadBps: number;
    };
    for (const spelling of ['BTC-USDT', 'BTCUSDT', 'BTC%2FUSDT', 'btc_usdt']) {
      const response = await call<Book>(t, 'GET', `/api/orderbook/${spelling}?depth=10`, { token });
      expect(response.status).toBe(200);
      expect(response.body.symbol).toBe('BTC/USDT');
      expect(response.body.bids).toHaveLength(10);
      expect(response.body.asks).toHaveLength(10);
      expect(response.body.bids[0][0]).toBeLessThan(response.body.asks[0][0]);
      expect(response.body.spread).toBeCloseTo(response.body.asks[0][0] - response.body.bids[0][0], 9);
      expect(response.body.spreadBps).toBeGreaterThan(0);
    }
    expect((await call(t, 'GET', '/api/orderbook/NOPE-USDT', { token })).body.error).toBe('INVALID_SYMBOL');
    expect((await call(t, 'GET', '/api/orderbook/BTC-USDT?depth=1000', { token })).status).toBe(400);
  });

  it('produces the same candles as another instance with the same seed', async () => {
    const other = await startTestApp({
      MARKET_BACKFILL_DAYS: '1',
      MARKET_SEED: '7',
      MARKET_SIMULATION: 'false',
    });
    try {
      const dayStart = Math.floor((await backfilledTo()) / DAY_MS) * DAY_MS - DAY_MS;
      const mine = await t.app
        .get(CandleRepository)
        .range(SIMULATED_EXCHANGE, 'SOL/USDT', '1m', dayStart, dayStart + 120 * MINUTE_MS, 500);
      const theirs = other.app
        .get(MarketSimulationService)
        .market.candles(2, dayStart, dayStart + 120 * MINUTE_MS);
      expect(mine).toHaveLength(120);
      mine.forEach((candle, i) => {
        expect(candle.openTime).toBe(theirs[i].openTime);
        expect(candle.close).toBe(theirs[i].close);
        expect(candle.volume).toBe(theirs[i].volume);
      });
    } finally {
      await other.close();
    }
  });
});
