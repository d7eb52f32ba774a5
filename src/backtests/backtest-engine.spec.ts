import type { Candle } from '../market/market-types';
import type { PresetRisk } from '../presets/preset-config';
import type { Strategy } from '../strategies/strategy';
import { runBacktest } from './backtest-engine';
import { closeFills } from './backtest-fill-models';

const FIVE_MINUTES = 300_000;
const MINUTE = 60_000;
const FROM = Date.UTC(2026, 10, 20, 12, 0);
const NEXT_MIDNIGHT = Date.UTC(2026, 10, 21);

/** Buys at every close with a stop 1 % below it. */
const alwaysBuy: Strategy = {
  name: 'always_buy',
  description: 'test',
  parameters: {},
  minCandles: () => 1,
  stream: () => ({
    next: (candle: Candle) => ({
      action: 'buy',
      confidence: 1,
      reason: 'test',
      stopLoss: candle.close * 0.99,
    }),
  }),
};

/** Buys at the first close only, with the stop `stopOf` sets. */
function buyingOnce(stopOf: (candle: Candle) => number): Strategy {
  return {
    ...alwaysBuy,
    stream: () => {
      let seen = 0;
      return {
        next: (candle: Candle) =>
          ++seen === 1
            ? { action: 'buy', confidence: 1, reason: 'test', stopLoss: stopOf(candle) }
            : { action: 'hold', confidence: 0, reason: 'test' },
      };
    },
  };
}

/** Holds: never a signal. */
const neverBuy: Strategy = {
  ...alwaysBuy,
  stream: () => ({ next: () => ({ action: 'hold', confidence: 0, reason: 'test' }) }),
};

/**
 * Flat at 100 with a wick to 98.5 in every candle: every position is stopped out in the candle after
 * its entry, and the symbol is bought again at that candle's close (as a bot, whose trade guard sold
 * during the candle, holds nothing there at the close).
 */
function wickingCandles(count: number, low = 98.5): Candle[] {
  return Array.from({ length: count }, (_, index) => ({
    openTime: FROM + index * FIVE_MINUTES,
    open: 100,
    high: 100,
    low,
    close: 100,
    volume: 1,
  }));
}

const BASE_RISK: PresetRisk = {
  riskPerTrade: 0.01,
  maxConcurrentPositions: 1,
  dailyLossLimitR: 100,
  maxConsecutiveLosses: 100,
  streakPauseMinutes: 60,
  maxHoldMinutes: 10_000,
  trailingStopR: null,
};

/** Every stop-out loses exactly 1 R: no fee, no slippage, the stop 1 below a close of 100. */
function backtest(
  risk: Partial<PresetRisk>,
  candles = 300,
  options: { low?: number; strategy?: Strategy } = {},
) {
  return runBacktest(
    [
      {
        symbol: 'AAA/USDT',
        candles: wickingCandles(candles, options.low),
        market: { amountStep: '0.001', minAmount: 0, minNotional: 0 },
      },
    ],
    {
      from: FROM,
      to: FROM + candles * FIVE_MINUTES,
      span: FIVE_MINUTES,
      strategy: options.strategy ?? alwaysBuy,
      params: {},
      risk: { ...BASE_RISK, ...risk },
      startingBalance: 10_000,
      takerFee: 0,
      slippageReserve: 0,
      fills: closeFills(0),
    },
  );
}

const close = (n: number) => FROM + n * FIVE_MINUTES;

describe('risk pauses in backtests (the bots’ limits)', () => {
  it('stops entering for the rest of the UTC day once the day’s closed trades lose dailyLossLimitR', async () => {
    const { trades, metrics } = await backtest({ dailyLossLimitR: 3 });
    for (const trade of trades.slice(0, 3)) expect(trade.r).toBeCloseTo(-1, 9);
    // The third loss, in the candle before the fourth close, pauses there until the next UTC day.
    expect(trades.slice(0, 4).map((trade) => trade.entryTime)).toEqual([
      close(1),
      close(2),
      close(3),
      NEXT_MIDNIGHT,
    ]);
    expect(metrics.riskPauses[0]).toEqual({
      code: 'DAILY_LOSS_LIMIT',
      from: close(4),
      until: NEXT_MIDNIGHT,
      message: 'daily loss -3R reached the limit of -3R',
    });
  });

  it('pauses streakPauseMinutes after maxConsecutiveLosses losses in a row, then enters again', async () => {
    const { trades, metrics } = await backtest({ maxConsecutiveLosses: 2, streakPauseMinutes: 60 }, 40);
    const lifted = close(3) + 60 * MINUTE;
    expect(trades.slice(0, 3).map((trade) => trade.entryTime)).toEqual([close(1), close(2), lifted]);
    expect(metrics.riskPauses[0]).toEqual({
      code: 'CONSECUTIVE_LOSSES',
      from: close(3),
      until: lifted,
      message: '2 losses in a row reached the limit of 2',
    });
    // The streak starts again when a pause lifts: two more losses before the next pause.
    expect(metrics.riskPauses[1].from).toBe(lifted + 2 * FIVE_MINUTES);
  });

  it('never pauses with limits out of reach', async () => {
    const { trades, metrics } = await backtest({}, 40);
    expect(metrics.riskPauses).toEqual([]);
    // An entry at every close but the last (the end of the test), each stopped out in the next candle.
    expect(trades).toHaveLength(39);
    expect(trades.at(-1)!.entryTime).toBe(close(39));
    expect(trades.every((trade) => trade.exitReason === 'stop_loss')).toBe(true);
  });
});

describe('backtest metrics', () => {
  it('measures the drawdown down to the lows a held position went through, not only at closes', async () => {
    // Wicks to 99.5 never reach the stop at 99: the one position, all of the equity, is held to the end.
    const { trades, metrics } = await backtest({ maxHoldMinutes: 100_000 }, 20, { low: 99.5 });
    expect(trades).toHaveLength(1);
    expect(trades[0].exitReason).toBe('end_of_test');
    expect(metrics.totalReturn).toBeCloseTo(0, 12);
    expect(metrics.maxDrawdown).toBeCloseTo(0.005, 9);
  });

  it('says why a metric is null: no trades, or no losing trades', async () => {
    const idle = await backtest({}, 20, { strategy: neverBuy });
    expect(idle.metrics).toMatchObject({ trades: 0, profitFactor: null, winRate: null, avgR: null });
    expect(idle.metrics.unavailable).toMatchObject({
      profitFactor: 'no trades',
      winRate: 'no trades',
      avgR: 'no trades',
    });
    // Wicks above the stop and a time stop at the next close at 100: no trade loses (no fee either).
    const even = await backtest({ maxHoldMinutes: 5 }, 20, { low: 99.5 });
    expect(even.metrics.trades).toBeGreaterThan(0);
    expect(even.metrics.losses).toBe(0);
    expect(even.metrics.profitFactor).toBeNull();
    expect(even.metrics.unavailable.profitFactor).toBe('no losing trades');
    expect(even.metrics.unavailable.winRate).toBeUndefined();
  });

  it('keeps the stop a trade was entered with, and the one it was closed with', async () => {
    // Rising closes trail the stop (half a risk unit behind once half a unit up); the drop stops it out.
    const closes = [100, 101, 102, 103, 90];
    const rising: Candle[] = closes.map((close, index) => {
      const open = index === 0 ? 100 : closes[index - 1];
      return {
        openTime: FROM + index * FIVE_MINUTES,
        open,
        high: Math.max(open, close),
        low: Math.min(open, close),
        close,
        volume: 1,
      };
    });
    const { trades } = await runBacktest(
      [
        {
          symbol: 'AAA/USDT',
          candles: rising,
          market: { amountStep: '0.001', minAmount: 0, minNotional: 0 },
        },
      ],
      {
        from: FROM,
        to: FROM + rising.length * FIVE_MINUTES,
        span: FIVE_MINUTES,
        strategy: buyingOnce((candle) => candle.close * 0.99),
        params: {},
        risk: { ...BASE_RISK, trailingStopR: 0.5 },
        startingBalance: 10_000,
        takerFee: 0,
        slippageReserve: 0,
        fills: closeFills(0),
      },
    );
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ stopLoss: 99, finalStopLoss: 102.5, exitReason: 'stop_loss' });
  });
});

describe('fills on an exchange’s candles (no book)', () => {
  it('enter at the open of the candle after the signal and leave a stop at its level, slippage paid both ways', async () => {
    // The signal candle closes at 100, the next opens at 101 and wicks to 98 through the stop at 99.
    const candles: Candle[] = [
      { openTime: FROM, open: 100, high: 100, low: 100, close: 100, volume: 1 },
      { openTime: FROM + FIVE_MINUTES, open: 101, high: 101, low: 98, close: 100, volume: 1 },
    ];
    const { trades } = await runBacktest(
      [{ symbol: 'AAA/USDT', candles, market: { amountStep: '0.001', minAmount: 0, minNotional: 0 } }],
      {
        from: FROM,
        to: FROM + 2 * FIVE_MINUTES,
        span: FIVE_MINUTES,
        strategy: buyingOnce(() => 99),
        params: {},
        risk: BASE_RISK,
        startingBalance: 10_000,
        takerFee: 0,
        slippageReserve: 0,
        fills: closeFills(5),
      },
    );
    expect(trades).toHaveLength(1);
    expect(trades[0].entryPrice).toBeCloseTo(101 * 1.0005, 9);
    expect(trades[0].exitReason).toBe('stop_loss');
    expect(trades[0].exitPrice).toBeCloseTo(99 / 1.0005, 9);
  });
});

describe('the scanner in backtests', () => {
  it('enters only the candidates its scan lists, as a bot does', async () => {
    const HOUR = 3_600_000;
    const QUARTER = 900_000;
    // Two symbols that always signal; the scan lists one candidate, the one with the larger 24 h
    // quote volume: BBB trades ten times AAA's volume.
    const history = (span: number, count: number, volume: number): Candle[] =>
      Array.from({ length: count }, (_, index) => ({
        openTime: FROM - count * span + index * span,
        open: 100,
        high: 100.5,
        low: 99.5,
        close: 100,
        volume,
      }));
    const symbol = (name: string, volume: number) => ({
      symbol: name,
      candles: wickingCandles(6),
      market: { amountStep: '0.001', minAmount: 0, minNotional: 0 },
      hours: history(HOUR, 30, volume),
      quarters: history(QUARTER, 50, volume),
    });
    const { trades } = await runBacktest([symbol('AAA/USDT', 1_000), symbol('BBB/USDT', 10_000)], {
      from: FROM,
      to: FROM + 6 * FIVE_MINUTES,
      span: FIVE_MINUTES,
      strategy: alwaysBuy,
      params: {},
      risk: { ...BASE_RISK, maxConcurrentPositions: 2 },
      startingBalance: 10_000,
      takerFee: 0,
      slippageReserve: 0,
      fills: closeFills(0),
      scanner: {
        config: {
          universe: null,
          maxCandidates: 1,
          scanIntervalSeconds: 60,
          filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
          scoreWeights: { liquidity: 1 },
        },
        rangeCandles: 3,
      },
    });
    expect(trades.length).toBeGreaterThan(0);
    expect(new Set(trades.map((trade) => trade.symbol))).toEqual(new Set(['BBB/USDT']));
  });
});
