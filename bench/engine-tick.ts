/**
 * One engine tick over 100 symbols: each symbol's strategy state and indicators take the new candle
 * (incremental), against recomputing both over a 1,000-candle window per symbol (what a bot without
 * streaming state would do every tick). Both must give the same signals.
 */
import { Atr, BollingerBands, Ema, Macd, Rsi } from '../src/market/indicators/streaming';
import type { Candle } from '../src/market/market-types';
import { DAY_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from '../src/market/simulated-market';
import { SIMULATED_UNIVERSE } from '../src/market/simulated-universe';
import { BUILTIN_PRESETS } from '../src/presets/builtin-presets';
import { breakout } from '../src/strategies/builtin-strategies';
import { evaluateStrategy } from '../src/strategies/strategy';
import { resolveParameters, Signal, StrategyStream } from '../src/strategies/strategy';
import { median } from './support/load';

const SYMBOLS = 100;
const WINDOW = 1000;
const TICKS = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface IndicatorState {
  ema: Ema;
  rsi: Rsi;
  macd: Macd;
  bands: BollingerBands;
  atr: Atr;
}

function indicators(): IndicatorState {
  return {
    ema: new Ema(20),
    rsi: new Rsi(14),
    macd: new Macd(12, 26, 9),
    bands: new BollingerBands(20, 2),
    atr: new Atr(14),
  };
}

function feed(state: IndicatorState, candle: Candle): number {
  state.ema.update(candle.close);
  state.rsi.update(candle.close);
  state.macd.update(candle.close);
  state.bands.update(candle.close);
  return state.atr.update(candle.high, candle.low, candle.close) ?? 0;
}

function main(): void {
  const market = new SimulatedMarket(42, SIMULATED_UNIVERSE);
  const params = resolveParameters(breakout, BUILTIN_PRESETS.breakout_v1.strategy.parameters).params;
  // 100 series: the 30 simulated pairs at different stretches of time.
  const series: Candle[][] = [];
  for (let symbol = 0; symbol < SYMBOLS; symbol++) {
    const start = SIMULATION_EPOCH_MS + (50 + symbol * 3) * DAY_MS;
    series.push(market.candles(symbol % SIMULATED_UNIVERSE.length, start, start + (WINDOW + TICKS) * 60_000));
  }

  const incremental = (): { ms: number; signals: Signal[][] } => {
    const streams: StrategyStream[] = [];
    const states: IndicatorState[] = [];
    for (const candles of series) {
      const stream = breakout.stream(params);
      const state = indicators();
      for (const candle of candles.slice(0, WINDOW)) {
        stream.next(candle);
        feed(state, candle);
      }
      streams.push(stream);
      states.push(state);
    }
    const signals: Signal[][] = [];
    const started = process.hrtime.bigint();
    for (let tick = 0; tick < TICKS; tick++) {
      const row: Signal[] = [];
      for (let symbol = 0; symbol < SYMBOLS; symbol++) {
        const candle = series[symbol][WINDOW + tick];
        feed(states[symbol], candle);
        row.push(streams[symbol].next(candle));
      }
      signals.push(row);
    }
    return { ms: Number(process.hrtime.bigint() - started) / 1e6 / TICKS, signals };
  };

  const recompute = (ticks: number): { ms: number; signals: Signal[][] } => {
    const signals: Signal[][] = [];
    const started = process.hrtime.bigint();
    for (let tick = 0; tick < ticks; tick++) {
      const row: Signal[] = [];
      for (let symbol = 0; symbol < SYMBOLS; symbol++) {
        const window = series[symbol].slice(tick + 1, WINDOW + tick + 1);
        const state = indicators();
        for (const candle of window) feed(state, candle);
        row.push(evaluateStrategy(breakout, window, params));
      }
      signals.push(row);
    }
    return { ms: Number(process.hrtime.bigint() - started) / 1e6 / ticks, signals };
  };

  // The streams carry state from before the window, so compare actions on the ticks both can see:
  // a breakout reads only the last `lookback` candles and its ATR settles long before 1,000.
  const a = incremental();
  const b = recompute(TICKS);
  let differing = 0;
  a.signals.forEach((row, tick) =>
    row.forEach((signal, symbol) => {
      if (signal.action !== b.signals[tick][symbol].action) differing++;
    }),
  );
  if (differing > 0) throw new Error(`${differing} signals differ between incremental and recomputed`);
  const fired = a.signals.flat().filter((signal) => signal.action !== 'hold').length;

  const fast: number[] = [];
  const slow: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    fast.push(incremental().ms);
    slow.push(recompute(20).ms);
  }
  const ratio = median(slow) / median(fast);
  console.log(
    `engine tick over ${SYMBOLS} symbols (breakout + EMA/RSI/MACD/BB/ATR): incremental ${(median(fast) * 1000).toFixed(1)} us vs ` +
      `recomputed over ${WINDOW} candles ${median(slow).toFixed(2)} ms -> ${ratio.toFixed(0)}x faster ` +
      `(target >= 100, ${ratio >= 100 ? 'met' : 'NOT met'}); ${fired} buy signals in ${TICKS} ticks, same as recomputed`,
  );
}

main();
