import type { Candle } from '../market/market-types';
import { breakout, emaCross, fibonacciRetracement, rsiMeanReversion } from './builtin-strategies';
import { evaluateStrategy, resolveParameters, Strategy } from './strategy';

/** Candles from closes: open at the previous close, high/low 0.5 around, the given volume. */
function candles(closes: number[], volumes: number[] = []): Candle[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1];
    return {
      openTime: i * 60_000,
      open,
      high: Math.max(open, close) + 0.5,
      low: Math.min(open, close) - 0.5,
      close,
      volume: volumes[i] ?? 100,
    };
  });
}

function defaults(strategy: Strategy) {
  return resolveParameters(strategy).params;
}

describe('built-in strategies', () => {
  it('breakout buys a close above the range high on a volume surge, with the stop below the range', () => {
    const flat = Array.from({ length: 30 }, (_, i) => 100 + (i % 2)); // range 99.5 .. 101.5
    const signal = evaluateStrategy(
      breakout,
      candles([...flat, 104], [...Array(30).fill(100), 300]),
      defaults(breakout),
    );
    expect(signal.action).toBe('buy');
    expect(signal.stopLoss).toBeGreaterThanOrEqual(99.5);
    expect(signal.stopLoss).toBeLessThan(104);
    expect(signal.takeProfit).toBeCloseTo(104 + 2 * (104 - signal.stopLoss!), 9);
    expect(signal.confidence).toBeGreaterThan(0);
    expect(signal.confidence).toBeLessThanOrEqual(1);
    // The same breakout without the volume is not a signal.
    expect(evaluateStrategy(breakout, candles([...flat, 104]), defaults(breakout)).action).toBe('hold');
    expect(evaluateStrategy(breakout, candles(flat.slice(0, 5)), defaults(breakout)).reason).toBe(
      'not enough candles',
    );
  });

  it('ema_cross buys the candle where the fast EMA crosses above the slow one, and only that candle', () => {
    const falling = Array.from({ length: 40 }, (_, i) => 200 - i);
    const closes = [...falling];
    let crossedAt = -1;
    for (let i = 0; i < 30 && crossedAt < 0; i++) {
      closes.push(closes[closes.length - 1] + 3);
      if (evaluateStrategy(emaCross, candles(closes), defaults(emaCross)).action === 'buy')
        crossedAt = closes.length;
    }
    expect(crossedAt).toBeGreaterThan(40);
    const signal = evaluateStrategy(emaCross, candles(closes), defaults(emaCross));
    expect(signal.stopLoss).toBeLessThan(closes[closes.length - 1]);
    closes.push(closes[closes.length - 1] + 3);
    expect(evaluateStrategy(emaCross, candles(closes), defaults(emaCross)).action).toBe('hold');
  });

  it('rsi_mean_reversion buys when RSI climbs back above oversold', () => {
    const closes = Array.from({ length: 30 }, (_, i) => 200 - 2 * i); // RSI near 0
    let signal = evaluateStrategy(rsiMeanReversion, candles(closes), defaults(rsiMeanReversion));
    expect(signal.action).toBe('hold');
    for (let i = 0; i < 20 && signal.action === 'hold'; i++) {
      closes.push(closes[closes.length - 1] + 4);
      signal = evaluateStrategy(rsiMeanReversion, candles(closes), defaults(rsiMeanReversion));
    }
    expect(signal.action).toBe('buy');
    expect(signal.reason).toMatch(/rose back above 30/);
  });

  it('fibonacci_retracement buys at the 61.8 % retracement of an up-swing and targets the 161.8 % extension', () => {
    const up = Array.from({ length: 41 }, (_, i) => 100 + i * 2.5); // 100 .. 200
    const top = up[up.length - 1];
    const low = 100 - 0.5;
    const high = top + 0.5;
    const swing = high - low;
    const atLevel = high - 0.618 * swing;
    const down = Array.from({ length: 9 }, (_, i) => top - ((top - atLevel) * (i + 1)) / 9);
    const signal = evaluateStrategy(
      fibonacciRetracement,
      candles([...up, ...down]),
      defaults(fibonacciRetracement),
    );
    expect(signal.action).toBe('buy');
    expect(signal.reason).toMatch(/61\.8 %/);
    expect(signal.takeProfit).toBeCloseTo(low + 1.618 * swing, 6);
    expect(signal.stopLoss).toBeCloseTo(high - 0.786 * swing, 6);
    // A down-swing offers no retracement to buy.
    expect(
      evaluateStrategy(fibonacciRetracement, candles([...up].reverse()), defaults(fibonacciRetracement))
        .action,
    ).toBe('hold');
  });

  it('resolves parameters: defaults, and a named error for unknown or out-of-range ones', () => {
    expect(resolveParameters(breakout, { lookback: 30 }).params.lookback).toBe(30);
    expect(resolveParameters(breakout, { lookback: 2.5, nope: 1 }).errors).toEqual([
      'nope: breakout has no such parameter',
      'lookback: must be a whole number',
      'lookback: must be between 5 and 500',
    ]);
  });
});

describe('strategy streams', () => {
  // evaluateStrategy is a fresh stream, so this checks that streams share no state (bots run one
  // per symbol side by side), not the rules themselves: the tests above do that.
  it('run side by side with fresh ones give what a fresh stream gives, and every built-in fires', () => {
    // A deterministic walk with trends, reversals and volume bursts, so every strategy fires.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const closes: number[] = [];
    const volumes: number[] = [];
    let price = 100;
    for (let i = 0; i < 600; i++) {
      const drift = Math.sin(i / 40) * 0.6;
      price = Math.max(5, price + drift + (random() - 0.5) * 2);
      closes.push(Math.round(price * 100) / 100);
      volumes.push(random() < 0.08 ? 400 : 80 + random() * 40);
    }
    const series = candles(closes, volumes);
    for (const strategy of [breakout, emaCross, rsiMeanReversion, fibonacciRetracement]) {
      const params = defaults(strategy);
      const stream = strategy.stream(params);
      let actions = 0;
      series.forEach((candle, index) => {
        const streamed = stream.next(candle);
        expect(streamed).toEqual(evaluateStrategy(strategy, series.slice(0, index + 1), params));
        actions += streamed.action === 'hold' ? 0 : 1;
      });
      expect({ strategy: strategy.name, fired: actions > 0 }).toEqual({
        strategy: strategy.name,
        fired: true,
      });
    }
  });
});
