import { DataSource } from 'typeorm';
import { DcaDeals } from '../src/dca/dca-deals.service';
import { CandleRepository } from '../src/market/candle.repository';
import { MarketSimulationService, SIMULATED_EXCHANGE } from '../src/market/market-simulation.service';
import { aggregateCandles } from '../src/market/timeframes';
import { EngineService } from '../src/engine/engine.service';
import { PaperExchangeService } from '../src/exchange/paper/paper-exchange.service';
import { EquityRecorder } from '../src/analytics/equity-recorder.service';
import { TradeStatistics } from '../src/trading/trade-statistics.repository';
import { Role } from '../src/platform/access/role';
import { call, createKey, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 2, 0, 30);
/** Two days of a DCA bot on paper, the clock moved two hours at a time. */
const HOURS = 48;
/** Hours between two steps of the clock (and two measurements). */
const STEP_HOURS = 2;
const MEASUREMENTS = HOURS / STEP_HOURS + 1;

interface EquityPoint {
  timestamp: string;
  value: number;
  cumulativeR: number;
  drawdown: number;
  pnl: number;
  realizedPnl: number;
}
interface Trade {
  status: string;
  realizedPnl: number;
  closedAt: string;
}

const clock = new ManualClock(T0);
let t: TestApp;
let reader: string;
let botId: string;

// A bot that trades for two days, measured every two hours: the other tests read what it did.
beforeAll(async () => {
  t = await startTestApp(
    {
      // Deals trade on prices and books; the candles a test reads it stores itself (a clock days ahead
      // would have the simulation store every skipped minute of its 30 pairs meanwhile).
      MARKET_LIVE_CANDLES: 'false',
      RATE_LIMIT_READ_ONLY: '100000',
      RATE_LIMIT_CONTROL: '100000',
    },
    { clock },
  );
  const root = (await loginAdmin(t)).accessToken;
  const admin = (await createKey(t, root, { name: 'analytics admin', permissions: [Role.ADMIN] })).apiKey;
  reader = (await createKey(t, root, { name: 'analytics reader', permissions: [Role.READ_ONLY] })).apiKey;
  const preset = await call(t, 'POST', '/api/presets', {
    apiKey: admin,
    body: {
      name: 'dca_analytics',
      kind: 'dca',
      scannerConfig: { universe: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
      dca: {
        deal: {
          baseOrderVolume: 100,
          safetyOrderVolume: 100,
          maxSafetyOrders: 3,
          activeSafetyOrders: 1,
          priceDeviation: 0.8,
          volumeScale: 1,
          stepScale: 1,
          takeProfit: 0.5,
        },
        maxActiveDeals: 3,
        cooldownSeconds: 0,
        startCondition: 'asap',
      },
    },
  });
  expect(preset.status).toBe(201);
  const bot = await call<{ id: string }>(t, 'POST', '/api/bots', {
    apiKey: admin,
    body: { name: 'analytics-dca', preset: 'dca_analytics', mode: 'paper', capital: 5000, start: true },
  });
  expect(bot.status).toBe(201);
  botId = bot.body.id;
  const engine = t.app.get(EngineService);
  const matcher = t.app.get(PaperExchangeService);
  const deals = t.app.get(DcaDeals);
  const recorder = t.app.get(EquityRecorder);
  for (let hour = 0; hour <= HOURS; hour += STEP_HOURS) {
    clock.ms = T0 + hour * HOUR;
    await matcher.matchAll();
    await deals.sweep();
    await engine.tick();
    await recorder.recordNow();
    if (hour % 6 === 4) await recorder.rollUp();
  }
  // No new deals from here (the engine's own timer keeps running): the other tests read a settled book.
  const settled = await call(t, 'POST', `/api/bots/${botId}/command`, {
    apiKey: admin,
    body: { command: 'stop_entries' },
  });
  expect(settled.status).toBe(200);
  await deals.sweep();
  await recorder.recordNow();
  await recorder.rollUp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('analytics from the ledger and the equity history', () => {
  it('performance counts the trades the trade list shows: total, win rate and realised PnL', async () => {
    const trades = (
      await call<{ items: Trade[] }>(t, 'GET', '/api/trades/history?status=CLOSED&limit=500', {
        apiKey: reader,
      })
    ).body.items;
    expect(trades.length).toBeGreaterThan(3);
    const performance = await call<Record<string, unknown>>(
      t,
      'GET',
      `/api/analytics/performance?botId=${botId}&period=all`,
      { apiKey: reader },
    );
    expect(performance.status).toBe(200);
    const wins = trades.filter((trade) => trade.realizedPnl > 0).length;
    expect(performance.body).toMatchObject({
      totalTrades: trades.length,
      winningTrades: wins,
      scope: 'bot:analytics-dca',
    });
    expect(performance.body.winRate).toBeCloseTo(wins / trades.length, 8);
    const realized = trades.reduce((sum, trade) => sum + trade.realizedPnl, 0);
    expect(performance.body.realizedPnl as number).toBeCloseTo(realized, 6);
    const bySymbol = performance.body.bySymbol as Array<{ trades: number }>;
    expect(bySymbol.reduce((sum, row) => sum + row.trades, 0)).toBe(trades.length);
    // Streaks in the order the trades closed (seed 002's consecutive wins and losses).
    const ordered = [...trades].sort((a, b) => Date.parse(a.closedAt) - Date.parse(b.closedAt));
    // Runs of trades with the same sign of result (a flat trade is a run of its own, so it breaks one).
    const runs = ordered.reduce<Array<{ sign: number; length: number }>>((all, trade) => {
      const sign = Math.sign(trade.realizedPnl);
      const last = all[all.length - 1];
      return last?.sign === sign
        ? [...all.slice(0, -1), { sign, length: last.length + 1 }]
        : [...all, { sign, length: 1 }];
    }, []);
    const longest = (sign: number) =>
      Math.max(
        0,
        ...runs.filter((candidate) => candidate.sign === sign).map((candidate) => candidate.length),
      );
    const longestWins = longest(1);
    const longestLosses = longest(-1);
    expect(performance.body).toMatchObject({
      consecutiveWins: longestWins,
      consecutiveLosses: longestLosses,
    });
    expect(longestWins).toBeGreaterThan(0);
  });

  it("records the bot's account at the value of its balances, and the bot at its capital plus its results", async () => {
    const account = 'bot-analytics-dca';
    const equity = await call<EquityPoint[]>(
      t,
      'GET',
      `/api/analytics/equity?accountId=${account}&resolution=minute&from=${new Date(T0).toISOString()}&to=${new Date(clock.ms).toISOString()}`,
      { apiKey: reader },
    );
    expect(equity.status).toBe(200);
    expect(equity.headers.get('x-equity-resolution')).toBe('minute');
    // Two days do not fit 2,000 minutes: without a resolution, hours.
    const auto = await call(
      t,
      'GET',
      `/api/analytics/equity?accountId=${account}&from=${new Date(T0).toISOString()}`,
      {
        apiKey: reader,
      },
    );
    expect(auto.headers.get('x-equity-resolution')).toBe('hour');
    const balances = await call<{ totalUsdValue: number }>(t, 'GET', `/api/balances?account=${account}`, {
      apiKey: reader,
    });
    const last = equity.body[equity.body.length - 1];
    expect(last.timestamp).toBe(new Date(Math.floor(clock.ms / 60_000) * 60_000).toISOString());
    expect(last.value).toBeCloseTo(balances.body.totalUsdValue, 4);
    // One point a step, measured at each.
    expect(equity.body).toHaveLength(MEASUREMENTS);
    const botEquity = await call<EquityPoint[]>(
      t,
      'GET',
      `/api/analytics/equity?botId=${botId}&from=${new Date(T0).toISOString()}`,
      {
        apiKey: reader,
      },
    );
    const trades = (
      await call<{ items: Trade[] }>(t, 'GET', '/api/trades/history?limit=500', { apiKey: reader })
    ).body.items;
    const lastBot = botEquity.body[botEquity.body.length - 1];
    // Its capital (5,000) plus what its trades made, closed and open.
    expect(lastBot.pnl).toBeCloseTo(lastBot.value - 5000, 2);
    expect(lastBot.realizedPnl).toBeCloseTo(
      trades.reduce((sum, trade) => sum + trade.realizedPnl, 0),
      6,
    );
    // Its own account holds only what the bot did: the two series end at the same value.
    expect(lastBot.value).toBeCloseTo(last.value, 4);
  });

  it('rolls minutes up into hours and days, and computes the daily metrics from the daily closes', async () => {
    const days = await call<EquityPoint[]>(
      t,
      'GET',
      `/api/analytics/equity?botId=${botId}&resolution=day&from=${new Date(T0 - DAY).toISOString()}`,
      { apiKey: reader },
    );
    expect(days.headers.get('x-equity-resolution')).toBe('day');
    expect(days.body.map((point) => point.timestamp)).toEqual([
      '2026-11-02T00:00:00.000Z',
      '2026-11-03T00:00:00.000Z',
      '2026-11-04T00:00:00.000Z',
    ]);
    const hours = await call<EquityPoint[]>(
      t,
      'GET',
      `/api/analytics/equity?botId=${botId}&resolution=hour&from=${new Date(T0 - 30 * 60_000).toISOString()}`,
      { apiKey: reader },
    );
    expect(hours.body).toHaveLength(MEASUREMENTS);
    const values = days.body.map((point) => point.value);
    const returns = values.slice(1).map((value, index) => value / values[index] - 1);
    const average = returns.reduce((sum, value) => sum + value, 0) / returns.length;
    const std = Math.sqrt(
      returns.reduce((sum, value) => sum + (value - average) ** 2, 0) / (returns.length - 1),
    );
    const performance = await call<Record<string, number | null | unknown[]>>(
      t,
      'GET',
      `/api/analytics/performance?botId=${botId}&period=7d`,
      { apiKey: reader },
    );
    expect(performance.body.dailyReturns as unknown[]).toHaveLength(2);
    expect(performance.body.totalReturn as number).toBeCloseTo(values[2] / values[0] - 1, 6);
    expect(performance.body.sharpeRatio as number).toBeCloseTo((average / std) * Math.sqrt(365), 4);
    expect(performance.body.volatility as number).toBeCloseTo(std * Math.sqrt(365), 6);
  });

  it('risk: exposure of the open deals at their price, and the VaR of the holdings replayed over daily candles', async () => {
    // The daily candles of the last ten days, stored as the simulation stores them (its live store may
    // not have reached them yet).
    const simulation = t.app.get(MarketSimulationService);
    const today = Math.floor(clock.ms / DAY) * DAY;
    const rows = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].flatMap((symbol) =>
      aggregateCandles(
        simulation.market.candles(
          simulation.pairs.findIndex((pair) => pair.symbol === symbol),
          today - 10 * DAY,
          today,
        ),
        60_000,
        DAY,
      ).map((candle) => ({ ...candle, symbol, timeframe: '1d' as const })),
    );
    await t.app.get(CandleRepository).insertMany(SIMULATED_EXCHANGE, rows);
    const risk = await call<{
      portfolioValue: number;
      exposure: Array<{ symbol: string; value: number; share: number }>;
      openRisk: { quote: number; r: number };
      concentration: number;
      leverage: number;
      method: string;
      observations: number;
      var95: { percent: number | null; quote: number | null };
      cvar95: { percent: number | null };
      correlationMatrix: Record<string, Record<string, number | null>>;
      unavailable: Record<string, string>;
    }>(t, 'GET', `/api/analytics/risk?botId=${botId}`, { apiKey: reader });
    expect(risk.status).toBe(200);
    const open = (
      await call<{ items: Array<{ symbol: string; openAmount: number; currentPrice: number }> }>(
        t,
        'GET',
        '/api/trades/active?limit=100',
        { apiKey: reader },
      )
    ).body.items.filter((trade) => trade.openAmount > 0);
    expect(open.length).toBeGreaterThan(0);
    const held = new Map<string, number>();
    for (const trade of open)
      held.set(trade.symbol, (held.get(trade.symbol) ?? 0) + trade.openAmount * trade.currentPrice);
    expect(risk.body.exposure.map((row) => row.symbol)).toEqual([...held.keys()].sort());
    for (const row of risk.body.exposure) {
      expect(row.value).toBeCloseTo(held.get(row.symbol)!, 4);
      expect(row.share).toBeCloseTo(row.value / risk.body.portfolioValue, 6);
    }
    const shares = risk.body.exposure.map((row) => row.value);
    const total = shares.reduce((sum, value) => sum + value, 0);
    expect(risk.body.concentration).toBeCloseTo(
      shares.reduce((sum, value) => sum + (value / total) ** 2, 0),
      6,
    );
    expect(risk.body.leverage).toBeCloseTo(total / risk.body.portfolioValue, 6);
    expect(risk.body.openRisk).toEqual({ quote: 0, r: 0 }); // DCA deals have no stop
    expect(Object.keys(risk.body.correlationMatrix).sort()).toEqual([...held.keys()].sort());
    // Two days old: today's holdings over the symbols' daily candles, worked out here from the market route.
    expect(risk.body.method).toBe('holdings-replay');
    const daily = new Map<string, Map<number, number>>();
    for (const symbol of held.keys()) {
      const candles = (
        await call<{ candles: Array<{ timestamp: number; close: number }> }>(
          t,
          'GET',
          `/api/analytics/market?symbol=${symbol}&timeframe=1d&limit=10`,
          { apiKey: reader },
        )
      ).body.candles;
      const returns = new Map<number, number>();
      for (let i = 1; i < candles.length; i++)
        returns.set(candles[i].timestamp, candles[i].close / candles[i - 1].close - 1);
      daily.set(symbol, returns);
    }
    const days = [...daily.values()][0];
    const replayed = [...days.keys()]
      .filter((day) => [...daily.values()].every((returns) => returns.has(day)))
      .map((day) =>
        [...held.entries()].reduce(
          (sum, [symbol, value]) => sum + (value / risk.body.portfolioValue) * daily.get(symbol)!.get(day)!,
          0,
        ),
      );
    expect(replayed.length).toBe(9);
    expect(risk.body.observations).toBe(replayed.length);
    const sorted = [...replayed].sort((a, b) => a - b);
    const position = (sorted.length - 1) * 0.05;
    const expected =
      sorted[Math.floor(position)] +
      (sorted[Math.ceil(position)] - sorted[Math.floor(position)]) * (position % 1);
    expect(risk.body.var95.percent).toBeCloseTo(expected * 100, 4);
    expect(risk.body.var95.quote).toBeCloseTo(expected * risk.body.portfolioValue, 2);
    expect(risk.body.cvar95.percent).toBeCloseTo(sorted[0] * 100, 4);
  });

  it("seed 000's dashboard: each held symbol's swing levels, the positions against them, cached 60 s; energy scores", async () => {
    // The last 100 hours, stored as the simulation stores them (its live store may not have reached them).
    const simulation = t.app.get(MarketSimulationService);
    const hourNow = Math.floor(clock.ms / HOUR) * HOUR;
    const hourly = new Map(
      ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].map((symbol) => [
        symbol,
        aggregateCandles(
          simulation.market.candles(
            simulation.pairs.findIndex((pair) => pair.symbol === symbol),
            hourNow - 100 * HOUR,
            hourNow,
          ),
          60_000,
          HOUR,
        ),
      ]),
    );
    await t.app.get(CandleRepository).insertMany(
      SIMULATED_EXCHANGE,
      [...hourly.entries()].flatMap(([symbol, candles]) =>
        candles.map((candle) => ({ ...candle, symbol, timeframe: '1h' as const })),
      ),
    );
    const open = (
      await call<{
        items: Array<{ symbol: string; unrealizedPnl: number; entryPrice: number; openAmount: number }>;
      }>(t, 'GET', '/api/trades/active?limit=100', { apiKey: reader })
    ).body.items.filter((trade) => trade.openAmount > 0);
    const fib = await call<{
      cachedAt: string;
      symbols: Array<{
        symbol: string;
        swing: { high: number; low: number };
        levels: Record<string, number>;
      }>;
      positions: {
        long: Array<{ symbol: string; fibonacciLevels: Record<string, number> }>;
        short: unknown[];
      };
      performance: { winRate: number; winRateAlignment: number };
      phiResonance: number | null;
    }>(t, 'GET', `/api/analytics/fibonacci?botId=${botId}&refresh=true`, { apiKey: reader });
    expect(fib.status).toBe(200);
    expect(fib.body.symbols.map((row) => row.symbol).sort()).toEqual(
      [...new Set(open.map((trade) => trade.symbol))].sort(),
    );
    for (const row of fib.body.symbols) {
      const candles = hourly.get(row.symbol)!;
      const high = Math.max(...candles.map((candle) => candle.high));
      const low = Math.min(...candles.map((candle) => candle.low));
      expect(row.swing).toMatchObject({ high, low });
      expect(row.levels['0.5']).toBeCloseTo((high + low) / 2, 6);
    }
    expect(fib.body.positions.long).toHaveLength(open.length);
    expect(fib.body.positions.short).toHaveLength(0);
    expect(fib.body.performance.winRateAlignment).toBeCloseTo(
      Math.max(0, 1 - Math.abs(fib.body.performance.winRate - 0.618) / 0.618),
      3,
    );
    // Cached for 60 s: a second later the same answer, unless refreshed.
    clock.ms += 1000;
    const again = await call<{ cachedAt: string }>(t, 'GET', `/api/analytics/fibonacci?botId=${botId}`, {
      apiKey: reader,
    });
    expect(again.body.cachedAt).toBe(fib.body.cachedAt);
    const refreshed = await call<{ cachedAt: string }>(
      t,
      'GET',
      `/api/analytics/fibonacci?botId=${botId}&refresh=true`,
      {
        apiKey: reader,
      },
    );
    expect(refreshed.body.cachedAt).toBe(new Date(clock.ms).toISOString());

    const energy = await call<{
      marketEnergy: number;
      positionEnergy: number;
      combinedEnergy: number;
      energyState: string;
      fibAlignment: number;
    }>(t, 'GET', `/api/analytics/bio-energy?botId=${botId}`, { apiKey: reader });
    expect(energy.status).toBe(200);
    const unrealized = open.reduce((sum, trade) => sum + trade.unrealizedPnl, 0);
    const cost = open.reduce((sum, trade) => sum + trade.entryPrice * trade.openAmount, 0);
    // The trade views mark at the bid, the energy at the last price: close, not equal.
    expect(energy.body.positionEnergy).toBeCloseTo(50 + 50 * Math.tanh((20 * unrealized) / cost), 0);
    for (const value of [
      energy.body.marketEnergy,
      energy.body.positionEnergy,
      energy.body.combinedEnergy,
      energy.body.fibAlignment,
    ]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(100);
    }
    expect(energy.body.combinedEnergy).toBeCloseTo(
      (energy.body.marketEnergy + energy.body.positionEnergy) / 2,
      1,
    );
  });

  it('trade metrics of a known ledger: streaks in closing order, the drawdown of cumulative R, profit factor, expectancy', async () => {
    // Nine trades closed one minute apart on their own account; R = pnl (initial risk 1) but the flat one.
    const pnls = [5, 1, -2, -1, -3, 0, 4, -1, -1];
    const db = t.app.get(DataSource);
    await db.query(`INSERT INTO paper_accounts (name) VALUES ('ledger-check')`);
    for (const [i, pnl] of pnls.entries())
      await db.query(
        `INSERT INTO trades (id, symbol, side, status, venue, account_id, exchange_id, mode, requested_amount, entry_amount,
           entry_cost, exit_amount, exit_cost, fees, realized_pnl, initial_risk, created_at, opened_at, closed_at)
         VALUES (gen_random_uuid(), $1, 'long', 'CLOSED', 'paper', 'ledger-check', 'paper', 'paper', 1, 1, 100, 1,
           $2, 0.1, $3, $4, $5, $5, $6)`,
        [
          i % 2 ? 'ETH/USDT' : 'BTC/USDT',
          100 + pnl + 0.1,
          pnl,
          pnl === 0 ? null : 1,
          new Date(clock.ms - DAY + i * 60_000),
          new Date(clock.ms - DAY + i * 60_000 + 30_000),
        ],
      );
    const performanceOf = () =>
      call<Record<string, unknown>>(t, 'GET', '/api/analytics/performance?accountId=ledger-check&period=7d', {
        apiKey: reader,
      });
    try {
      const report = await performanceOf();
      expect(report.status).toBe(200);
      // W W L L L 0 W L L: runs of 2 wins and 3 losses; cumulative R 5 6 4 3 0 0 4 3 2 falls 6 from its peak.
      expect(report.body).toMatchObject({
        totalTrades: 9,
        winningTrades: 3,
        losingTrades: 5,
        consecutiveWins: 2,
        consecutiveLosses: 3,
        maxDrawdownR: 6,
        bestTrade: 5,
        worstTrade: -3,
        realizedPnl: 2,
      });
      expect(report.body.profitFactor as number).toBeCloseTo(10 / 8, 8);
      expect(report.body.expectancy as number).toBeCloseTo(2 / 9, 8);
      expect(report.body.avgR as number).toBeCloseTo(2 / 8, 8);
      expect(report.body.avgDurationMinutes as number).toBeCloseTo(0.5, 6);
      expect(report.body.bySymbol).toEqual([
        { symbol: 'BTC/USDT', trades: 5, pnl: 3, pnlPercent: 0.6, winRate: 0.4 },
        { symbol: 'ETH/USDT', trades: 4, pnl: -1, pnlPercent: -0.25, winRate: 0.25 },
      ]);
      const closeLater = (minute: number, pnl: number) =>
        db.query(
          `INSERT INTO trades (id, symbol, side, status, venue, account_id, exchange_id, mode, requested_amount, entry_amount,
             entry_cost, exit_amount, exit_cost, fees, realized_pnl, initial_risk, created_at, opened_at, closed_at)
           VALUES (gen_random_uuid(), 'BTC/USDT', 'long', 'CLOSED', 'paper', 'ledger-check', 'paper', 'paper', 1, 1, 100, 1,
             $1, 0.1, $2, 1, $3, $3, $4)`,
          [
            100 + pnl + 0.1,
            pnl,
            new Date(clock.ms - DAY + minute * 60_000),
            new Date(clock.ms - DAY + minute * 60_000 + 30_000),
          ],
        );
      const fullScans = jest.spyOn(t.app.get(TradeStatistics), 'closedStreaks');
      try {
        // Three more wins close after the others: the streaks follow, carried on from the last scan.
        for (const minute of [9, 10, 11]) await closeLater(minute, 2);
        const after = await performanceOf();
        expect(after.body).toMatchObject({
          totalTrades: 12,
          consecutiveWins: 3,
          consecutiveLosses: 3,
          maxDrawdownR: 6,
        });
        expect(fullScans).not.toHaveBeenCalled();
        // A loss written late, closed between the last two wins: the scan is read again whole.
        // Cumulative R ... 2 4 6 -2 0 — peak 6, falls 8; runs of wins are now 2 at most.
        await closeLater(10.2, -8);
        const backdated = await performanceOf();
        expect(backdated.body).toMatchObject({
          totalTrades: 13,
          consecutiveWins: 2,
          consecutiveLosses: 3,
          maxDrawdownR: 8,
        });
        expect(fullScans).toHaveBeenCalledTimes(1);
      } finally {
        fullScans.mockRestore();
      }
    } finally {
      // The other tests read every trade: these leave when this one is done.
      await db.query(`DELETE FROM trades WHERE account_id = 'ledger-check'`);
    }
  });

  it('counts an entry that has partly filled as a position, and one that has filled nothing as none', async () => {
    const db = t.app.get(DataSource);
    await db.query(`INSERT INTO paper_accounts (name) VALUES ('opening-check')`);
    const insert = (symbol: string, filled: number) =>
      db.query(
        `INSERT INTO trades (id, symbol, side, status, venue, account_id, exchange_id, mode, requested_amount, entry_amount,
           entry_cost, created_at)
         VALUES (gen_random_uuid(), $1, 'long', 'OPENING', 'paper', 'opening-check', 'paper', 'paper', 1, $2, $3, $4)`,
        [symbol, filled, filled * 100, new Date(clock.ms)],
      );
    await insert('BTC/USDT', 0.25);
    await insert('ETH/USDT', 0);
    try {
      const active = (
        await call<{ items: Array<{ symbol: string; openAmount: number; currentPrice: number }> }>(
          t,
          'GET',
          '/api/trades/active?symbol=BTC/USDT&limit=100',
          { apiKey: reader },
        )
      ).body.items.filter((trade) => trade.openAmount === 0.25);
      expect(active).toHaveLength(1);
      const risk = await call<{ exposure: Array<{ symbol: string; value: number }> }>(
        t,
        'GET',
        '/api/analytics/risk?accountId=opening-check',
        { apiKey: reader },
      );
      expect(risk.status).toBe(200);
      expect(risk.body.exposure.map((row) => row.symbol)).toEqual(['BTC/USDT']);
      expect(risk.body.exposure[0].value).toBeCloseTo(0.25 * active[0].currentPrice, 4);
      const fib = await call<{ positions: { long: Array<{ symbol: string }> } }>(
        t,
        'GET',
        '/api/analytics/fibonacci?accountId=opening-check&refresh=true',
        { apiKey: reader },
      );
      expect(fib.status).toBe(200);
      expect(fib.body.positions.long.map((position) => position.symbol)).toEqual(['BTC/USDT']);
    } finally {
      // The other tests read every open trade: these leave when this one is done.
      await db.query(`DELETE FROM trades WHERE account_id = 'opening-check'`);
    }
  });

  it('answers null with a reason where data is short, and 4xx for bad input', async () => {
    const perSymbol = await call<Record<string, unknown>>(
      t,
      'GET',
      `/api/analytics/performance?botId=${botId}&symbol=btc-usdt&period=1d`,
      { apiKey: reader },
    );
    expect(perSymbol.status).toBe(200);
    expect(perSymbol.body).toMatchObject({ symbol: 'BTC/USDT', sharpeRatio: null, totalReturn: null });
    expect((perSymbol.body.unavailable as Record<string, string>).sharpeRatio).toContain(
      'per bot or account',
    );
    const noTrades = await call<Record<string, unknown>>(
      t,
      'GET',
      '/api/analytics/performance?accountId=default',
      {
        apiKey: reader,
      },
    );
    expect(noTrades.body).toMatchObject({ totalTrades: 0, winRate: null, profitFactor: null });
    expect(JSON.stringify(noTrades.body)).not.toMatch(/NaN|Infinity/);
    const bad = [
      '/api/analytics/performance?period=2w',
      '/api/analytics/performance?botId=not-a-uuid',
      `/api/analytics/performance?botId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
      '/api/analytics/performance?accountId=nobody',
      '/api/analytics/equity?resolution=week',
      '/api/analytics/equity?from=2026-11-05T00:00:00Z&to=2026-11-01T00:00:00Z',
      '/api/analytics/performance?symbol=%24%24%24',
      '/api/analytics/risk?lookbackDays=3',
      '/api/analytics/fibonacci?refresh=maybe',
      '/api/analytics/bio-energy?botId=nope',
    ];
    const statuses = [];
    for (const url of bad) statuses.push((await call(t, 'GET', url, { apiKey: reader })).status);
    expect(statuses).toEqual([400, 400, 404, 404, 400, 400, 400, 400, 400, 400]);
  });
});
