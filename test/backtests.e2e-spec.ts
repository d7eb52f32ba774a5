import { DataSource } from 'typeorm';
import { BacktestsService } from '../src/backtests/backtests.service';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { SIMULATED_UNIVERSE } from '../src/market/simulated-universe';
import { Role } from '../src/platform/access/role';
import { call, createKey, loginAdmin } from './support/auth-client';
import { finishedBacktest } from './support/backtests';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

interface Trade {
  symbol: string;
  entryTime: number;
  entryPrice: number;
  amount: number;
  initialRisk: number;
  exitTime: number;
  exitPrice: number;
  fees: number;
  pnl: number;
  r: number;
}
interface Backtest {
  id: string;
  status: string;
  progress: number;
  candles: number;
  error: string | null;
  request: { symbols: string[]; timeframe: string };
  metrics: Record<string, number | null>;
  equity: Array<{ time: number; value: number }>;
  trades: Trade[];
  dcaMetrics: Record<string, number | null> | null;
  deals: DcaDeal[] | null;
}

interface DcaDeal {
  symbol: string;
  openedAt: number;
  closedAt: number | null;
  status: string;
  closeReason: string;
  basePrice: number;
  averageEntry: number;
  safetyOrdersFilled: number;
  amount: number;
  cost: number;
  fees: number;
  pnl: number;
}

const DAY = 86_400_000;
/**
 * The application's clock, fixed: the simulated market (and so the number of trades a preset makes) is
 * a function of time, and a window that followed the real date made this file's counts change every
 * day (one day breakout_v1 made 8 trades over its two days where the test expects more than 10).
 */
const clock = new ManualClock(Date.UTC(2026, 11, 3, 12));
/** A backtest over a week before the simulated market's history: it has no candles. */
const BEFORE_THE_MARKET = {
  preset: 'breakout_v1',
  symbols: ['BTC/USDT'],
  timeframe: '1h',
  from: '2024-01-01T00:00:00Z',
  to: '2024-01-08T00:00:00Z',
};

// Three simulated days are backfilled and two replayed; the deadline only stops a hang.
jest.setTimeout(300_000);

describe('backtests (POST /api/backtests, GET /api/backtests/:id)', () => {
  let t: TestApp;
  let trader: string;
  let reader: string;
  let admin: string;

  const finished = (id: string): Promise<Backtest> => finishedBacktest<Backtest>(t, id, reader);
  /** A backtest's job once it has ended (pg-boss records that just after the backtest's own row). */
  const endedJob = async (id: string): Promise<{ state: string; attempts: number }> => {
    for (;;) {
      const job = (
        await call<{ state: string; attempts: number }>(t, 'GET', `/api/jobs/${id}`, { token: trader })
      ).body;
      if (!['queued', 'retry', 'running'].includes(job.state)) return job;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    t = await startTestApp(
      {
        MARKET_BACKFILL_DAYS: '3',
        MARKET_SEED: '5',
        RATE_LIMIT_READ_ONLY: '100000',
        RATE_LIMIT_CONTROL: '100000',
        RATE_LIMIT_ADMIN: '100000',
      },
      { clock },
    );
    await t.app.get(MarketSimulationService).whenBackfilled();
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    reader = (await createKey(t, admin, { name: 'reader', permissions: [Role.READ_ONLY] })).apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs breakout_v1 over 2 days of 1m candles for 10 symbols, and its metrics match its own trade list', async () => {
    const to = Math.floor(clock.ms / DAY) * DAY;
    const from = to - 2 * DAY;
    const symbols = [
      'BTC/USDT',
      'ETH/USDT',
      'SOL/USDT',
      'BNB/USDT',
      'XRP/USDT',
      'ADA/USDT',
      'DOGE/USDT',
      'AVAX/USDT',
      'LINK/USDT',
      'DOT/USDT',
    ];
    const queued = await call<Backtest>(t, 'POST', '/api/backtests', {
      token: trader,
      body: {
        preset: 'breakout_v1',
        symbols,
        timeframe: '1m',
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        startingBalance: 10_000,
      },
    });
    expect(queued.status).toBe(202);
    expect(['queued', 'running']).toContain(queued.body.status);
    const job = await finished(queued.body.id);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ status: 'completed', progress: 100 });
    // 2 days of minutes for each symbol, plus the strategy's warm-up before the range.
    expect(job.candles).toBeGreaterThan(10 * 2 * 1440);
    const { metrics, trades } = job;
    expect(trades.length).toBeGreaterThan(10);
    expect(metrics.trades).toBe(trades.length);

    const wins = trades.filter((trade) => trade.pnl > 0);
    const losses = trades.filter((trade) => trade.pnl < 0);
    const gains = wins.reduce((sum, trade) => sum + trade.pnl, 0);
    const lost = losses.reduce((sum, trade) => sum - trade.pnl, 0);
    const pnl = trades.reduce((sum, trade) => sum + trade.pnl, 0);
    expect(metrics.wins).toBe(wins.length);
    expect(metrics.losses).toBe(losses.length);
    expect(metrics.winRate).toBeCloseTo(wins.length / trades.length, 12);
    expect(metrics.profitFactor).toBeCloseTo(gains / lost, 9);
    expect(metrics.finalEquity).toBeCloseTo(10_000 + pnl, 6);
    expect(metrics.totalReturn).toBeCloseTo(pnl / 10_000, 9);
    expect(metrics.totalFees).toBeCloseTo(
      trades.reduce((sum, trade) => sum + trade.fees, 0),
      6,
    );
    expect(metrics.avgR).toBeCloseTo(trades.reduce((sum, trade) => sum + trade.r, 0) / trades.length, 9);
    for (const trade of trades) {
      expect(symbols).toContain(trade.symbol);
      expect(trade.entryTime).toBeGreaterThan(from);
      expect(trade.exitTime).toBeGreaterThanOrEqual(trade.entryTime);
      expect(trade.exitTime).toBeLessThanOrEqual(to);
      expect(trade.pnl).toBeCloseTo((trade.exitPrice - trade.entryPrice) * trade.amount - trade.fees, 6);
      expect(trade.r).toBeCloseTo(trade.pnl / trade.initialRisk, 9);
    }
    // The curve starts at the balance, ends at the final equity, and never falls more than the drawdown.
    expect(job.equity[job.equity.length - 1].value).toBeCloseTo(metrics.finalEquity!, 6);
    let peak = 10_000;
    let deepest = 0;
    for (const point of job.equity) {
      peak = Math.max(peak, point.value);
      deepest = Math.max(deepest, (peak - point.value) / peak);
    }
    expect(metrics.maxDrawdown).toBeGreaterThanOrEqual(deepest - 1e-12);
    expect(metrics.maxDrawdown).toBeLessThan(1);
    // Both are the mean per-candle equity return over a (positive) spread, annualised: finite, and of
    // the same sign. The per-candle returns are not in the answer, so their mean's sign is not checked.
    expect(Number.isFinite(metrics.sharpe)).toBe(true);
    expect(Number.isFinite(metrics.sortino)).toBe(true);
    expect(Math.sign(metrics.sortino!)).toBe(Math.sign(metrics.sharpe!));
  });

  it('runs a DCA preset with the deal rules over 2 days of 1m candles: its deals and DCA metrics', async () => {
    const to = Math.floor(clock.ms / DAY) * DAY;
    const from = to - 2 * DAY;
    const preset = await call(t, 'POST', '/api/presets', {
      token: admin,
      body: {
        name: 'dca_backtested',
        kind: 'dca',
        scannerConfig: { universe: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'] },
        dca: {
          deal: {
            baseOrderVolume: 100,
            safetyOrderVolume: 100,
            maxSafetyOrders: 4,
            priceDeviation: 0.3,
            takeProfit: 0.4,
          },
          maxActiveDeals: 3,
          cooldownSeconds: 600,
        },
      },
    });
    expect(preset.status).toBe(201);
    const queued = await call<Backtest>(t, 'POST', '/api/backtests', {
      token: trader,
      body: {
        preset: 'dca_backtested',
        timeframe: '1m',
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        startingBalance: 5_000,
      },
    });
    expect(queued.status).toBe(202);
    const job = await finished(queued.body.id);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ status: 'completed', metrics: null, trades: null, request: { kind: 'dca' } });
    expect(job.candles).toBe(4 * 2 * 1440);
    const deals = job.deals!;
    const metrics = job.dcaMetrics!;
    expect(deals.length).toBeGreaterThan(10);
    const closed = deals.filter((deal) => deal.closedAt !== null);
    expect(metrics).toMatchObject({ deals: deals.length, closedDeals: closed.length, startingBalance: 5000 });
    expect(metrics.openDeals).toBe(deals.length - closed.length);
    expect(metrics.openDeals).toBeLessThanOrEqual(3);
    const sum = (rows: DcaDeal[], pick: (deal: DcaDeal) => number) =>
      rows.reduce((total, deal) => total + pick(deal), 0);
    expect(metrics.totalPnl).toBeCloseTo(
      sum(closed, (deal) => deal.pnl),
      6,
    );
    expect(metrics.finalEquity).toBeCloseTo(5000 + sum(deals, (deal) => deal.pnl), 6);
    expect(metrics.avgSafetyOrders).toBeCloseTo(
      sum(deals, (deal) => deal.safetyOrdersFilled) / deals.length,
      6,
    );
    expect(metrics.maxCapitalInUse).toBeGreaterThan(0);
    // At most three whole ladders (volume scale 1.5 from dca_conservative_v1): 3 × (100 + 100 · (1.5⁴ − 1)/0.5).
    expect(metrics.maxCapitalInUse).toBeLessThanOrEqual(3 * (100 + (100 * (1.5 ** 4 - 1)) / 0.5));
    expect(metrics.maxDrawdown).toBeGreaterThan(0);
    for (const deal of deals) {
      expect(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT']).toContain(deal.symbol);
      expect(deal.openedAt).toBeGreaterThan(from);
      expect(deal.safetyOrdersFilled).toBeLessThanOrEqual(4);
      expect(deal.averageEntry).toBeCloseTo(deal.cost / deal.amount, 9);
      expect(deal.averageEntry).toBeLessThanOrEqual(deal.basePrice);
    }
    // A take profit sells everything at the average + 0.4 % (to the tick, or better on a gap).
    const takenProfit = closed.filter((deal) => deal.closeReason === 'take_profit');
    expect(takenProfit.length).toBeGreaterThan(0);
    for (const deal of takenProfit) expect(deal.pnl).toBeGreaterThan(deal.cost * 0.004 * 0.99 - deal.fees);
    // Deals on a pair never overlap, and the next waits 10 minutes after one ends.
    for (const symbol of new Set(deals.map((deal) => deal.symbol))) {
      const own = deals.filter((deal) => deal.symbol === symbol);
      for (let i = 1; i < own.length; i++)
        expect(own[i].openedAt - own[i - 1].closedAt!).toBeGreaterThanOrEqual(600_000);
    }

    const manual = await call(t, 'PUT', '/api/presets/dca_backtested', {
      token: admin,
      body: { dca: { startCondition: 'manual' } },
    });
    expect(manual.status).toBe(200);
    const refused = await call<{ message: string }>(t, 'POST', '/api/backtests', {
      token: trader,
      body: {
        preset: 'dca_backtested',
        timeframe: '1m',
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('startCondition manual');
  });

  it('runs as a job that shows its progress, and stops within a second when cancelled', async () => {
    const to = Math.floor(clock.ms / DAY) * DAY;
    const queued = await call<Backtest>(t, 'POST', '/api/backtests', {
      token: trader,
      body: {
        preset: 'breakout_v1',
        // Every pair of the market over three days: long enough a replay to be caught running.
        symbols: SIMULATED_UNIVERSE.map((pair) => pair.symbol),
        timeframe: '1m',
        from: new Date(to - 3 * DAY).toISOString(),
        to: new Date(to).toISOString(),
      },
    });
    expect(queued.status).toBe(202);
    const id = queued.body.id;
    let job: { state: string; progress: number; queue: string };
    do {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = (await call<typeof job>(t, 'GET', `/api/jobs/${id}`, { token: trader })).body;
    } while (!(job.state === 'running' && job.progress > 0) && ['queued', 'running'].includes(job.state));
    expect(job).toMatchObject({ queue: 'backtest', state: 'running' });
    expect(job.progress).toBeGreaterThan(0);
    const running = await call<{ items: Array<{ id: string; progress: number }> }>(
      t,
      'GET',
      '/api/jobs?queue=backtest&state=running',
      { token: admin },
    );
    expect(running.body.items.map((item) => item.id)).toEqual([id]);
    expect(running.body.items[0].progress).toBeGreaterThan(0);

    const cancelled = await call<Backtest>(t, 'POST', `/api/backtests/${id}/cancel`, { token: trader });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    // The job is cancelled by the time the cancel answers (well within the second the issue allows).
    job = (await call<typeof job>(t, 'GET', `/api/jobs/${id}`, { token: trader })).body;
    expect(job.state).toBe('cancelled');
    // The replay stopped: a second later its progress has not moved, and the backtest is still
    // cancelled, with no metrics.
    // (A progress write under way at the cancel may land just after it: read once that had its time.)
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = (await call<typeof job>(t, 'GET', `/api/jobs/${id}`, { token: trader })).body.progress;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const later = await call<typeof job>(t, 'GET', `/api/jobs/${id}`, { token: trader });
    expect(later.body).toMatchObject({ state: 'cancelled', progress: stopped });
    const after = await call<Backtest>(t, 'GET', `/api/backtests/${id}`, { token: reader });
    expect(after.body).toMatchObject({ status: 'cancelled', metrics: null });
    const again = await call(t, 'POST', `/api/backtests/${id}/cancel`, { token: trader });
    expect(again.status).toBe(409);
  });

  it('fails a backtest over a range with no candles, saying why', async () => {
    const queued = await call<Backtest>(t, 'POST', '/api/backtests', {
      token: trader,
      body: BEFORE_THE_MARKET,
    });
    expect(queued.status).toBe(202);
    const job = await finished(queued.body.id);
    expect(job).toMatchObject({
      status: 'failed',
      candles: 0,
      error:
        'no 1h candles of BTC/USDT between 2024-01-01T00:00:00.000Z and 2024-01-08T00:00:00.000Z: the market has no history there',
    });
    // Trying again cannot bring candles: the first attempt was the last (the job's end is recorded just
    // after the backtest's).
    expect(await endedJob(queued.body.id)).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('says failed, at start-up, a backtest whose job failed while its instance was gone', async () => {
    const queued = await call<Backtest>(t, 'POST', '/api/backtests', {
      token: trader,
      body: BEFORE_THE_MARKET,
    });
    expect(queued.status).toBe(202);
    await finished(queued.body.id);
    expect(await endedJob(queued.body.id)).toMatchObject({ state: 'failed' });
    // As a crash leaves it: the row still running, while the job queue failed the job (heartbeat lapsed).
    const dataSource = t.app.get(DataSource);
    await dataSource.query(
      `UPDATE backtests SET status = 'running', error = NULL, finished_at = NULL WHERE id = $1`,
      [queued.body.id],
    );
    await t.app.get(BacktestsService).onApplicationBootstrap();
    const after = await call<Backtest>(t, 'GET', `/api/backtests/${queued.body.id}`, { token: reader });
    expect(after.body.status).toBe('failed');
    expect(after.body.error).toMatch(/^its job failed without a result: no 1h candles of BTC\/USDT/);
  });

  it('refuses a reversed range, an oversized one, an unknown preset and a READ_ONLY caller, and creates nothing', async () => {
    const jobs = async () =>
      Number(
        (await t.app.get(DataSource).query<Array<{ n: string }>>('SELECT count(*) AS n FROM backtests'))[0].n,
      );
    const before = await jobs();
    const body = { preset: 'breakout_v1', from: '2026-10-02T00:00:00Z', to: '2026-10-01T00:00:00Z' };
    const reversed = await call<{ error: string; message: string }>(t, 'POST', '/api/backtests', {
      token: trader,
      body,
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toContain('to');
    const huge = await call<{ message: string }>(t, 'POST', '/api/backtests', {
      token: trader,
      body: {
        preset: 'breakout_v1',
        timeframe: '1m',
        from: '2025-01-01T00:00:00Z',
        to: '2026-01-01T00:00:00Z',
      },
    });
    expect(huge.status).toBe(400);
    expect(huge.body.message).toContain('exceed the limit');
    // 300 days of 1h candles are few (7,200 a symbol), but the scanner's quarters and hours are read too
    // (36,000 a symbol): 30 symbols' worth is past the limit.
    const scanned = await call<{ message: string }>(t, 'POST', '/api/backtests', {
      token: trader,
      body: {
        preset: 'breakout_v1',
        timeframe: '1h',
        from: '2025-12-01T00:00:00Z',
        to: '2026-09-27T00:00:00Z',
      },
    });
    expect(scanned.status).toBe(400);
    expect(scanned.body.message).toContain('exceed the limit');
    const unknown = await call(t, 'POST', '/api/backtests', {
      token: trader,
      body: { ...body, preset: 'nope' },
    });
    expect(unknown.status).toBe(404);
    const notDate = await call(t, 'POST', '/api/backtests', {
      token: trader,
      body: { ...body, from: 'yesterday' },
    });
    expect(notDate.status).toBe(400);
    expect((await call(t, 'POST', '/api/backtests', { token: reader, body })).status).toBe(403);
    expect(
      (await call(t, 'GET', '/api/backtests/8c1e6c1e-0000-4000-8000-000000000000', { token: reader })).status,
    ).toBe(404);
    expect(await jobs()).toBe(before);
  });
});
