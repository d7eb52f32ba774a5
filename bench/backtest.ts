/**
 * Backtest speed for one symbol: breakout_v1's strategy, sizing, book fills, fees and the equity curve
 * over 1,200,000 one-minute candles, against the floor of a bare loop reading the same candles.
 */
import { walkBook } from '../src/exchange/paper/book-walk';
import { runBacktest } from '../src/backtests/backtest-engine';
import type { Candle } from '../src/market/market-types';
import { BUILTIN_PRESETS } from '../src/presets/builtin-presets';
import { breakout } from '../src/strategies/builtin-strategies';
import { resolveParameters } from '../src/strategies/strategy';
import { median } from './support/load';

const CANDLES = 1_200_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MINUTE = 60_000;

/**
 * A random walk with volatility clusters and volume bursts, so the strategy trades; drawn from
 * xorshift32 (period 2^32 - 1), without drift. Its return means nothing: only the speed is measured.
 */
function candles(): Candle[] {
  let state = 0x9e3779b9;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const out: Candle[] = [];
  let price = 100;
  let volatility = 0.001;
  for (let i = 0; i < CANDLES; i++) {
    if (i % 720 === 0) volatility = 0.0005 + random() * 0.002;
    const open = price;
    price = Math.max(1, price * (1 + (random() - 0.5) * 2 * volatility));
    const high = Math.max(open, price) * (1 + random() * volatility);
    const low = Math.min(open, price) * (1 - random() * volatility);
    out.push({
      openTime: i * MINUTE,
      open,
      high,
      low,
      close: price,
      volume: random() < 0.03 ? 400 : 80 + random() * 40,
    });
  }
  return out;
}

async function main(): Promise<void> {
  const series = candles();
  const preset = BUILTIN_PRESETS.breakout_v1;
  const params = resolveParameters(breakout, preset.strategy.parameters).params;
  const book = (price: number): Array<[number, number]> =>
    Array.from(
      { length: 20 },
      (_, level) => [price * (1 + 0.0002 * (level + 1)), 5 + level] as [number, number],
    );
  const run = () =>
    runBacktest(
      [
        {
          symbol: 'SYN/USDT',
          candles: series,
          market: { amountStep: '0.0001', minAmount: 0.0001, minNotional: 5 },
        },
      ],
      {
        from: 300 * MINUTE,
        to: CANDLES * MINUTE,
        span: MINUTE,
        strategy: breakout,
        params,
        risk: preset.risk,
        startingBalance: 10_000,
        takerFee: 0.001,
        slippageReserve: 0.01,
        fills: {
          ask: (_symbol, _at, close) => book(close)[0][0],
          buy: (_symbol, amount, _at, close) => walkBook('buy', book(close), amount, null),
          sell: (_symbol, amount, _at, close) => walkBook('sell', [[close * 0.9995, 1e9]], amount, null),
          sellAtLevel: (_symbol, amount, _at, level) =>
            walkBook('sell', [[level * 0.9995, 1e9]], amount, null),
          spread: () => 0.0007,
        },
      },
    );
  const floorLoop = () => {
    let sum = 0;
    for (const candle of series) sum += candle.close + candle.high - candle.low + candle.volume;
    return sum;
  };
  const first = await run();
  const subject: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let started = process.hrtime.bigint();
    floorLoop();
    floor.push(Number(process.hrtime.bigint() - started) / 1e9);
    started = process.hrtime.bigint();
    await run();
    subject.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  const perSecond = CANDLES / median(subject);
  console.log(
    `backtest of breakout_v1 over ${CANDLES} candles, one symbol: ${(perSecond / 1e6).toFixed(2)} M candles/s ` +
      `(target >= 1 M, ${perSecond >= 1e6 ? 'met' : 'NOT met'}); ${first.metrics.trades} trades replayed; ` +
      `${(median(subject) / median(floor)).toFixed(1)}x a bare loop over the candles`,
  );
}

void main();
