import { MarketSimulationService } from '../src/market/market-simulation.service';
import { call, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

interface Signal {
  action: string;
  confidence: number;
  reason: string;
  strategy: string;
  symbol: string;
  parameters: Record<string, number>;
  candles: number;
  asOf: string | null;
}

// The backfill competes with the rest of the suite for the CPU; the deadline only stops a hang.
jest.setTimeout(300_000);

describe('strategies (GET /api/strategies, POST /api/strategies/:name/signal)', () => {
  // Time stands still: no candle closes between two calls, so the stored candles a signal sees are fixed.
  const clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000);
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(
      {
        MARKET_BACKFILL_DAYS: '1',
        RATE_LIMIT_ADMIN: '100000',
        RATE_LIMIT_READ_ONLY: '100000',
      },
      { clock },
    );
    await t.app.get(MarketSimulationService).whenBackfilled();
    token = (await loginAdmin(t)).accessToken;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the four built-in strategies with their parameter schemas', async () => {
    const response = await call<{
      items: Array<{ name: string; parameters: Record<string, { default: number }> }>;
      total: number;
    }>(t, 'GET', '/api/strategies', { token });
    expect(response.status).toBe(200);
    expect(response.body.items.map((item) => item.name)).toEqual([
      'breakout',
      'ema_cross',
      'rsi_mean_reversion',
      'fibonacci_retracement',
    ]);
    expect(response.body.items[0].parameters.lookback).toMatchObject({ type: 'integer', default: 20 });
  });

  it('answers a signal on the stored candles, the same twice, with the parameters it used', async () => {
    const fifteenMinutes = 15 * 60_000;
    // The newest 15m candle closed at the (standing) clock.
    const newestOpen = Math.floor(clock.ms / fifteenMinutes) * fifteenMinutes - fifteenMinutes;
    const strategies = await call<{
      items: Array<{ name: string; parameters: Record<string, { default: number }> }>;
    }>(t, 'GET', '/api/strategies', { token });
    expect(strategies.status).toBe(200);
    for (const name of ['breakout', 'ema_cross', 'rsi_mean_reversion', 'fibonacci_retracement']) {
      const body = {
        symbol: 'btc-usdt',
        timeframe: '15m',
        parameters: name === 'breakout' ? { lookback: 30 } : {},
      };
      const schema = strategies.body.items.find((item) => item.name === name)!.parameters;
      const defaults = Object.fromEntries(Object.entries(schema).map(([key, spec]) => [key, spec.default]));
      const first = await call<Signal>(t, 'POST', `/api/strategies/${name}/signal`, { token, body });
      expect(first.status).toBe(200);
      expect(['buy', 'sell', 'hold']).toContain(first.body.action);
      expect(first.body).toMatchObject({ strategy: name, symbol: 'BTC/USDT' });
      expect(first.body.candles).toBeGreaterThan(50);
      expect(first.body.confidence).toBeGreaterThanOrEqual(0);
      expect(first.body.confidence).toBeLessThanOrEqual(1);
      // The defaults, with the given overrides.
      expect(first.body.parameters).toEqual({ ...defaults, ...body.parameters });
      expect(first.body.asOf).toBe(new Date(newestOpen).toISOString());
      const second = await call<Signal>(t, 'POST', `/api/strategies/${name}/signal`, { token, body });
      expect(second.status).toBe(200);
      // No candle closed between the two calls (the clock stands), so the answer is the same.
      expect(second.body.asOf).toBe(first.body.asOf);
      expect(second.body).toEqual(first.body);
    }
  });

  it('names the bad field: unknown strategy 404, unknown or out-of-range parameter 400, unknown symbol 400', async () => {
    const missing = await call(t, 'POST', '/api/strategies/martingale/signal', {
      token,
      body: { symbol: 'BTC/USDT' },
    });
    expect(missing.status).toBe(404);
    const unknown = await call<{ error: string; message: string }>(
      t,
      'POST',
      '/api/strategies/breakout/signal',
      {
        token,
        body: { symbol: 'BTC/USDT', parameters: { lookback: 2, colour: 3 } },
      },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('parameters.colour: breakout has no such parameter');
    expect(unknown.body.message).toContain('parameters.lookback: must be between 5 and 500');
    const symbol = await call<{ error: string }>(t, 'POST', '/api/strategies/breakout/signal', {
      token,
      body: { symbol: 'NOPE/USDT' },
    });
    expect([symbol.status, symbol.body.error]).toEqual([400, 'INVALID_SYMBOL']);
  });
});
