import { MarketSimulationService } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

interface Candidate {
  symbol: string;
  score: number;
  filters: { liquidity: boolean; volatility: boolean; volumeSurge: boolean };
  metrics: Record<string, number | null>;
  levels: { high: number; low: number };
}
interface ScanResult {
  preset: string;
  candidates: Candidate[];
  totalScanned: number;
  passedFilters: number;
}

const ONE_DAY = 86_400_000;

// The backfill competes with the rest of the suite for the CPU; the deadline only stops a hang.
jest.setTimeout(300_000);

describe('scanner (POST /api/scanner/scan, GET /api/scanner/status)', () => {
  let t: TestApp;
  let admin: string;
  let trader: string;
  let reader: string;
  // 02:00 UTC yesterday: a day's backfill (from 00:00 UTC the day before) holds the 26 hours of candles
  // the scanner's measures need, and the market stands still while the test scans it.
  const clock = new ManualClock(Math.floor(Date.now() / ONE_DAY) * ONE_DAY - ONE_DAY + 2 * 3_600_000);

  beforeAll(async () => {
    t = await startTestApp({ MARKET_BACKFILL_DAYS: '1', RATE_LIMIT_ADMIN: '100000' }, { clock });
    await t.app.get(MarketSimulationService).whenBackfilled();
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('scans the whole market with breakout_v1: candidates that passed, best first, in seed 002 shape, and emits SCAN_RESULT', async () => {
    const socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    try {
      socket.send({ type: 'subscribe', topics: ['scanner'] });
      await socket.next((message) => message.type === 'subscribed');
      const before = await call<{ scans: number }>(t, 'GET', '/api/scanner/status', { token: reader });
      const response = await call<ScanResult>(t, 'POST', '/api/scanner/scan', {
        token: trader,
        body: { preset: 'breakout_v1', limit: 5 },
      });
      expect(response.status).toBe(200);
      const result = response.body;
      expect(result.preset).toBe('breakout_v1');
      expect(result.totalScanned).toBe(30);
      expect(result.passedFilters).toBeGreaterThan(0);
      expect(result.candidates.length).toBe(Math.min(5, result.passedFilters));
      const scores = result.candidates.map((candidate) => candidate.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      for (const candidate of result.candidates) {
        expect(candidate.filters).toEqual({ liquidity: true, volatility: true, volumeSurge: true });
        expect(candidate.score).toBeGreaterThanOrEqual(0);
        expect(candidate.score).toBeLessThanOrEqual(1);
        expect(candidate.metrics.quoteVolume24h).toBeGreaterThanOrEqual(1_000_000);
        expect(candidate.metrics.atr15mPct).toBeGreaterThan(0);
        expect(candidate.levels.high).toBeGreaterThan(candidate.levels.low);
        expect(candidate.metrics.oiDelta).toBeNull();
      }
      const event = await socket.next((message) => message.type === 'SCAN_RESULT');
      expect(event.topic).toBe('scanner');
      expect(event.data).toMatchObject({
        preset: 'breakout_v1',
        totalScanned: 30,
        passedFilters: result.passedFilters,
      });

      const status = await call<Record<string, unknown>>(t, 'GET', '/api/scanner/status', { token: reader });
      expect(status.body).toMatchObject({
        status: 'idle',
        lastPreset: 'breakout_v1',
        candidatesFound: result.candidates.length,
        totalScanned: 30,
        scans: before.body.scans + 1,
      });
      expect(typeof status.body.scanDurationMs).toBe('number');
    } finally {
      socket.close();
    }
  });

  it('scans only the symbols asked for, in any spelling, and ranks them by the preset weights', async () => {
    await call(t, 'PUT', '/api/presets/ema_cross_v1', {
      token: admin,
      body: {
        scannerConfig: {
          scoreWeights: { liquidity: 1, atrPct: 0, volatility: 0 },
          filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1 },
        },
      },
    });
    const response = await call<ScanResult>(t, 'POST', '/api/scanner/scan', {
      token: trader,
      body: { preset: 'ema_cross_v1', symbols: ['btc-usdt', 'ETHUSDT', 'SOL/USDT'] },
    });
    expect(response.status).toBe(200);
    expect(response.body.totalScanned).toBe(3);
    expect(response.body.passedFilters).toBe(3);
    // Liquidity alone decides: the ranks follow the 24 h quote volume.
    const volumes = response.body.candidates.map((candidate) => candidate.metrics.quoteVolume24h as number);
    expect([...volumes].sort((a, b) => b - a)).toEqual(volumes);
    expect(response.body.candidates.map((candidate) => candidate.score)).toEqual([1, 0.5, 0]);
  });

  it('refuses an unknown preset (404), an unknown symbol (400) and a READ_ONLY caller (403)', async () => {
    const unknown = await call<{ error: string }>(t, 'POST', '/api/scanner/scan', {
      token: trader,
      body: { preset: 'nope' },
    });
    expect(unknown.status).toBe(404);
    const badSymbol = await call<{ error: string }>(t, 'POST', '/api/scanner/scan', {
      token: trader,
      body: { preset: 'breakout_v1', symbols: ['NOPE/USDT'] },
    });
    expect(badSymbol.status).toBe(400);
    expect(badSymbol.body.error).toBe('INVALID_SYMBOL');
    const reading = await call(t, 'POST', '/api/scanner/scan', {
      token: reader,
      body: { preset: 'breakout_v1' },
    });
    expect(reading.status).toBe(403);
  });
});
