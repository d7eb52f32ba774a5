import { DataSource } from 'typeorm';
import { EngineService } from '../src/engine/engine.service';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { levelReached } from '../src/trading/exit-policy';
import { call, createKey, loginAdmin } from './support/auth-client';
import { finishedBacktest } from './support/backtests';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

const FIVE_MINUTES = 300_000;

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
  // A fixed day (the market is a function of the seed and the time, so the scenario is the same on every
  // run), from 02:00 UTC: a day's backfill (from 00:00 UTC the day before) holds the 26 hours the
  // scanner's measures need, and no more. Its six hours hold every kind of exit and a losing streak's pause.
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 2));
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

  it('make the same entries, exits and pauses, with a filtering scanner, trailing and time stops and the risk limits on', async () => {
    const admin = (await loginAdmin(t)).accessToken;
    const trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    // A scanner that keeps the 8 best-scored symbols of those that pass its filters, rescanned every 15
    // minutes; 4 slots; positions live at most an hour, stops trail half a risk unit behind the high once
    // it is half a unit in profit; two losses in a row pause entries for 30 minutes, 3 R lost in a day
    // until the next day.
    const preset = await call(t, 'POST', '/api/presets', {
      token: admin,
      body: {
        name: 'equivalence',
        strategy: { name: 'breakout', parameters: { lookback: 12, volumeSurge: 1.2 } },
        timeframe: '5m',
        risk: {
          maxConcurrentPositions: 4,
          trailingStopR: 0.5,
          maxHoldMinutes: 60,
          dailyLossLimitR: 5,
          maxConsecutiveLosses: 2,
          streakPauseMinutes: 30,
        },
        scannerConfig: {
          maxCandidates: 8,
          scanIntervalSeconds: 900,
          filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
        },
      },
    });
    expect(preset.status).toBe(201);

    const dataSource = t.app.get(DataSource);
    const quotes = t.app.get(MarketSimulationService).quotes;
    const engine = t.app.get(EngineService);
    const guard = t.app.get(TradeGuard);
    const pausesOfBot: Array<{ from: number; until: number }> = [];
    /** The bot's cycle, as it runs every second in production: it reads its risk limits each time. */
    const cycle = async () => {
      await engine.tick();
      const [bot] = await dataSource.query<Array<{ paused_until: Date | null }>>(
        `SELECT paused_until FROM bots WHERE preset = 'equivalence'`,
      );
      const until = bot.paused_until?.getTime();
      if (until !== undefined && pausesOfBot.at(-1)?.until !== until)
        pausesOfBot.push({ from: clock.ms, until });
    };
    /**
     * The first second in [from, to) the last price reaches an open position's stop or target: the
     * moment the trade guard, which checks it every second, acts. Between such moments and the candle
     * closes nothing the bot or the guard does can change, so the clock jumps from one to the next.
     */
    const nextTouch = async (from: number, to: number): Promise<number | null> => {
      const open = await dataSource.query<
        Array<{ symbol: string; stop_loss: string | null; take_profit: string | null }>
      >(`SELECT symbol, stop_loss, take_profit FROM trades WHERE source = 'bot' AND status = 'OPEN'`);
      let first: number | null = null;
      for (const trade of open) {
        const pair = quotes.pairIndex(trade.symbol);
        const end = first ?? to;
        for (let second = from; second < end; second += 1000) {
          const price = quotes.priceAt(pair, second);
          const stop = trade.stop_loss === null ? null : Number(trade.stop_loss);
          const target = trade.take_profit === null ? null : Number(trade.take_profit);
          if (levelReached({ side: 'long', stopLoss: stop, takeProfit: target }, price, price)) {
            first = second;
            break;
          }
        }
      }
      return first;
    };

    const from = clock.ms;
    expect(
      (
        await call(t, 'POST', '/api/engine/start', {
          token: trader,
          body: { preset: 'equivalence', mode: 'paper' },
        })
      ).status,
    ).toBe(200);
    // Each second the bot's cycle runs, then the trade guard checks the prices (at a close, the cycle
    // decides on the candle first); the clock jumps over the seconds in which neither can act.
    for (let i = 0; i < 72; i++) {
      const close = from + (i + 1) * FIVE_MINUTES;
      for (
        let touch = await nextTouch(clock.ms, close);
        touch !== null;
        touch = await nextTouch(clock.ms, close)
      ) {
        clock.ms = touch;
        await guard.check();
        clock.ms = touch + 1000;
        if (clock.ms < close) await cycle();
      }
      clock.ms = close;
      await t.app.get(MarketSimulationService).storeCompletedMinutes();
      await cycle();
      await guard.check();
      clock.ms = close + 1000;
      await cycle();
    }
    clock.ms = from + 72 * FIVE_MINUTES;
    const to = clock.ms;
    await call(t, 'POST', '/api/engine/stop', { token: trader, body: {} });

    const rows = await dataSource.query<
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
      metrics: { riskPauses: Array<{ code: string; from: number; until: number }> };
      trades: Array<{
        symbol: string;
        entryTime: number;
        exitTime: number;
        exitReason: string;
        exitedInCandle: boolean;
        amount: number;
        stopLoss: number;
        finalStopLoss: number;
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

    // Everything under test happened: time stops, trailed stops, a target, stops the market reached
    // between two closes, entries in fewer symbols than the market has, and a pause of entries.
    const inCandle = job.trades.filter((trade) => trade.exitedInCandle && trade.exitReason === 'stop_loss');
    expect(inCandle.length).toBeGreaterThan(0);
    expect(inCandle.some((trade) => trade.exitTime % FIVE_MINUTES !== 0)).toBe(true);
    expect(paper.filter((trip) => trip.exitReason === 'take_profit').length).toBeGreaterThan(0);
    expect(paper.filter((trip) => trip.exitReason === 'time_stop').length).toBeGreaterThan(0);
    const trailed = (trips: RoundTrip[]) =>
      trips.filter((trip) => trip.stopLoss > trip.initialStop * (1 + 1e-9));
    expect(trailed(paper).length).toBeGreaterThan(0);
    expect(new Set(paper.map((trip) => trip.symbol)).size).toBeLessThan(quotes.pairs.length);
    expect(pausesOfBot.length).toBeGreaterThan(0);
    expect(job.metrics.riskPauses.map(({ from, until }) => ({ from, until }))).toEqual(pausesOfBot);

    // The same decisions to the end of the window: which symbol, entered at which close, how much, left
    // at which second and why.
    expect(paper.length).toBeGreaterThan(5);
    const decisions = (trips: RoundTrip[]) =>
      trips.map(({ symbol, entryTime, exitTime, exitReason }) => ({
        symbol,
        entryTime,
        exitTime,
        exitReason,
      }));
    expect(decisions(backtest)).toEqual(decisions(paper));
    backtest.forEach((trip, index) => {
      expect(trip.amount).toBeCloseTo(paper[index].amount, 9);
      expect(trip.stopLoss).toBeCloseTo(paper[index].stopLoss, 6);
    });
  });
});

function sorted(trips: RoundTrip[]): RoundTrip[] {
  return trips.sort((a, b) => a.entryTime - b.entryTime || a.symbol.localeCompare(b.symbol));
}
