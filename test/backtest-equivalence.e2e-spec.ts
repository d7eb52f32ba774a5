import { DataSource } from 'typeorm';
import { EngineService } from '../src/engine/engine.service';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { finishedBacktest } from './support/backtests';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

const FIVE_MINUTES = 300_000;
const ONE_DAY = 86_400_000;

/** One round trip as both runs report it. */
interface RoundTrip {
  symbol: string;
  entryTime: number;
  /** null: still open at the end of the run (the backtest sells it at the end, `end_of_test`). */
  exitTime: number | null;
  exitReason: string | null;
  amount: number;
  /** The stop when the trip ended (or at the end of the run), after any trailing. */
  stopLoss: number;
  /** The stop it was entered with. */
  initialStop: number;
}

// Simulated hours run here; the deadline only stops a hang.
jest.setTimeout(600_000);

describe('a paper run and a backtest over the same simulated candles', () => {
  // 02:00 UTC two days ago, so the six hours the test runs are past: a day's backfill (from 00:00 UTC the
  // day before) then holds the 26 hours the scanner's measures need, and no more.
  const clock = new ManualClock(Math.floor(Date.now() / ONE_DAY) * ONE_DAY - 2 * ONE_DAY + 2 * 3_600_000);
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      {
        MARKET_BACKFILL_DAYS: '1',
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

  it('make the same entries and the same exits, with trailing and time stops on', async () => {
    const admin = (await loginAdmin(t)).accessToken;
    const trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    // Every symbol is a candidate and slots are never short, so the scanner's ranking cannot choose
    // differently from the backtest's. Positions live at most an hour, and stops trail half a risk unit
    // behind the close once it is half a unit in profit: both exits happen often in six hours.
    const preset = await call(t, 'POST', '/api/presets', {
      token: admin,
      body: {
        name: 'equivalence',
        strategy: { name: 'breakout', parameters: { lookback: 12, volumeSurge: 1.2 } },
        timeframe: '5m',
        // Limits out of reach: backtests pause as bots do, but this bot sees a stop only at candle closes
        // (the test moves its clock a candle at a time) and sells there, where a backtest sells at the
        // level during the candle; their R differ, and with them when a limit is reached.
        risk: {
          maxConcurrentPositions: 30,
          trailingStopR: 0.5,
          maxHoldMinutes: 60,
          dailyLossLimitR: 100,
          maxConsecutiveLosses: 100,
        },
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

    const rows = await t.app.get(DataSource).query<
      Array<{
        symbol: string;
        opened_at: Date;
        closed_at: Date | null;
        close_reason: string | null;
        entry_amount: string;
        entry_cost: string;
        initial_risk: string;
        stop_loss: string;
      }>
    >(
      `SELECT symbol, opened_at, closed_at, close_reason, entry_amount, entry_cost, initial_risk, stop_loss FROM trades
       WHERE source = 'bot' AND opened_at IS NOT NULL`,
    );
    const paper = sorted(
      rows.map((row) => ({
        symbol: row.symbol,
        entryTime: row.opened_at.getTime(),
        exitTime: row.closed_at?.getTime() ?? null,
        exitReason: row.close_reason,
        amount: Number(row.entry_amount),
        stopLoss: Number(row.stop_loss),
        initialStop: (Number(row.entry_cost) - Number(row.initial_risk)) / Number(row.entry_amount),
      })),
    );

    const queued = await call<{ id: string }>(t, 'POST', '/api/backtests', {
      token: trader,
      body: { preset: 'equivalence', from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    });
    expect(queued.status).toBe(202);
    const job = await finishedBacktest<{
      status: string;
      trades: Array<{
        symbol: string;
        entryTime: number;
        exitTime: number;
        exitReason: string;
        amount: number;
        stopLoss: number;
        finalStopLoss: number;
        entryPrice: number;
        initialRisk: number;
      }>;
    }>(t, queued.body.id, trader);
    expect(job.status).toBe('completed');
    const backtest = sorted(
      job.trades.map((trade) => ({
        symbol: trade.symbol,
        entryTime: trade.entryTime,
        exitTime: trade.exitReason === 'end_of_test' ? null : trade.exitTime,
        exitReason: trade.exitReason === 'end_of_test' ? null : trade.exitReason,
        amount: trade.amount,
        stopLoss: trade.finalStopLoss,
        initialStop: trade.stopLoss,
      })),
    );

    const decisions = (trips: RoundTrip[]) =>
      trips.map(({ symbol, entryTime, exitTime, exitReason }) => ({
        symbol,
        entryTime,
        exitTime,
        exitReason,
      }));
    // Both exits under test happened, in both runs alike.
    expect(paper.filter((trip) => trip.exitReason === 'time_stop').length).toBeGreaterThan(0);
    const trailed = (trips: RoundTrip[]) =>
      trips.filter((trip) => trip.stopLoss > trip.initialStop * (1 + 1e-9));
    expect(trailed(paper).length).toBeGreaterThan(0);
    expect(decisions(trailed(backtest))).toEqual(decisions(trailed(paper)));

    // The same decisions: which symbol, entered at which candle's close, left at which and why.
    expect(paper.length).toBeGreaterThan(5);
    expect(decisions(backtest)).toEqual(decisions(paper));
    // The same sizes and the same trailed stops, until the first exit at a stop or target: the bot
    // sells at the market when its cycle finds a level crossed in the candle (this test moves its clock
    // a candle at a time), the backtest at the level, so from there on their cash differs.
    const levelExits = paper
      .filter((trip) => trip.exitReason === 'stop_loss' || trip.exitReason === 'take_profit')
      .map((trip) => trip.exitTime!);
    const horizon = Math.min(Infinity, ...levelExits);
    const before = paper.filter((trip) => trip.entryTime <= horizon);
    expect(before.length).toBeGreaterThan(0);
    before.forEach((trip, index) => {
      expect(backtest[index].amount).toBeCloseTo(trip.amount, 9);
      expect(backtest[index].stopLoss).toBeCloseTo(trip.stopLoss, 6);
    });
  });
});

function sorted(trips: RoundTrip[]): RoundTrip[] {
  return trips.sort((a, b) => a.entryTime - b.entryTime || a.symbol.localeCompare(b.symbol));
}
