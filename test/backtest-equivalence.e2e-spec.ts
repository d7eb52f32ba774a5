import { DataSource } from 'typeorm';
import { EngineService } from '../src/engine/engine.service';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

const FIVE_MINUTES = 300_000;

interface Entry {
  symbol: string;
  time: number;
  amount: number;
}

// Simulated hours run here; the deadline only stops a hang.
jest.setTimeout(600_000);

describe('a paper run and a backtest over the same simulated candles', () => {
  const clock = new ManualClock(Math.floor((Date.now() - 2 * 86_400_000) / FIVE_MINUTES) * FIVE_MINUTES);
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      {
        MARKET_BACKFILL_DAYS: '2',
        MARKET_SEED: '23',
        RATE_LIMIT_ADMIN: '100000',
        RATE_LIMIT_CONTROL: '100000',
        RATE_LIMIT_READ_ONLY: '100000',
      },
      { clock },
    );
    await t.app.get(MarketSimulationService).whenBackfilled();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('make the same entries: same symbols, same candles, same sizes, until their exits can differ', async () => {
    const admin = (await loginAdmin(t)).accessToken;
    const trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    // Every symbol is a candidate and slots are never short, so the scanner's ranking cannot choose
    // differently from the backtest's.
    const preset = await call(t, 'POST', '/api/presets', {
      token: admin,
      body: {
        name: 'equivalence',
        strategy: { name: 'breakout', parameters: { lookback: 12, volumeSurge: 1.2 } },
        timeframe: '5m',
        risk: { maxConcurrentPositions: 30, trailingStopR: null, maxHoldMinutes: 525_600 },
        scannerConfig: {
          maxCandidates: 100,
          filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
        },
      },
    });
    expect(preset.status).toBe(201);

    const from = clock.ms;
    expect(
      (
        await call(t, 'POST', '/api/engine/start', {
          token: trader,
          body: { preset: 'equivalence', mode: 'paper' },
        })
      ).status,
    ).toBe(200);
    for (let i = 0; i < 72; i++) {
      clock.ms += FIVE_MINUTES;
      await t.app.get(MarketSimulationService).storeCompletedMinutes();
      await t.app.get(EngineService).tick();
      await t.app.get(TradeGuard).check();
    }
    const to = clock.ms;
    await call(t, 'POST', '/api/engine/stop', { token: trader, body: {} });

    const rows = await t.app
      .get(DataSource)
      .query<Array<{ symbol: string; opened_at: Date; closed_at: Date | null; entry_amount: string }>>(
        `SELECT symbol, opened_at, closed_at, entry_amount FROM trades WHERE source = 'bot' AND opened_at IS NOT NULL`,
      );
    const paper: Entry[] = rows.map((row) => ({
      symbol: row.symbol,
      time: row.opened_at.getTime(),
      amount: Number(row.entry_amount),
    }));
    const paperFirstExit = Math.min(...rows.map((row) => row.closed_at?.getTime() ?? Infinity));

    const queued = await call<{ id: string }>(t, 'POST', '/api/backtests', {
      token: trader,
      body: { preset: 'equivalence', from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    });
    expect(queued.status).toBe(202);
    let job: {
      status: string;
      trades: Array<{ symbol: string; entryTime: number; exitTime: number; amount: number }>;
    };
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await call<typeof job>(t, 'GET', `/api/backtests/${queued.body.id}`, { token: trader })).body;
    } while (job.status === 'queued' || job.status === 'running');
    expect(job.status).toBe('completed');
    const backtest: Entry[] = job.trades.map((trade) => ({
      symbol: trade.symbol,
      time: trade.entryTime,
      amount: trade.amount,
    }));
    const backtestFirstExit = Math.min(
      ...job.trades.filter((trade) => trade.exitTime < to).map((trade) => trade.exitTime),
    );

    // Until the first exit of either run, equity and free slots are the same in both.
    const horizon = Math.min(paperFirstExit, backtestFirstExit);
    const before = (entries: Entry[]) =>
      entries
        .filter((entry) => entry.time <= horizon)
        .sort((a, b) => a.time - b.time || a.symbol.localeCompare(b.symbol));
    const paperEntries = before(paper);
    expect(paperEntries.length).toBeGreaterThan(0);
    expect(before(backtest).map(({ symbol, time }) => ({ symbol, time }))).toEqual(
      paperEntries.map(({ symbol, time }) => ({ symbol, time })),
    );
    before(backtest).forEach((entry, index) =>
      expect(entry.amount).toBeCloseTo(paperEntries[index].amount, 9),
    );
  });
});
