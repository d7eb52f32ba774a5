import type { Candle } from '../market/market-types';
import { Atr, Ema, Rsi } from '../market/indicators/streaming';
import { clamp01, hold, Parameters, ParameterSpec, Signal, Strategy } from './strategy';

// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

/** The last `capacity` candles, oldest first, in a ring buffer. */
class CandleWindow {
  private readonly items: Candle[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length;
  }

  push(candle: Candle): void {
    if (this.items.length < this.capacity) this.items.push(candle);
    else {
      this.items[this.start] = candle;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** The i-th oldest candle held. */
  at(index: number): Candle {
    return this.items[(this.start + index) % this.items.length];
  }
}

/**
 * Maximum (or minimum) of the last `capacity` values pushed, in O(1) amortised per push: a monotonic
 * deque of sequence numbers, so a breakout's range costs the same whatever its length.
 */
class RollingExtreme {
  private readonly values: Float64Array;
  private readonly sequence: Float64Array;
  private head = 0;
  private size = 0;
  private pushed = 0;

  constructor(
    private readonly capacity: number,
    private readonly max: boolean,
  ) {
    this.values = new Float64Array(capacity + 1);
    this.sequence = new Float64Array(capacity + 1);
  }

  push(value: number): void {
    const slots = this.values.length;
    // Drop from the back what the new value beats; it outlives them.
    while (this.size > 0) {
      const back = (this.head + this.size - 1) % slots;
      if (this.max ? this.values[back] <= value : this.values[back] >= value) this.size--;
      else break;
    }
    const at = (this.head + this.size) % slots;
    this.values[at] = value;
    this.sequence[at] = this.pushed++;
    this.size++;
    // Drop from the front what has left the window.
    while (this.sequence[this.head] <= this.pushed - 1 - this.capacity) {
      this.head = (this.head + 1) % slots;
      this.size--;
    }
  }

  get value(): number {
    return this.size > 0 ? this.values[this.head] : this.max ? -Infinity : Infinity;
  }
}

/** The stop and target parameters of strategies whose exits are measured in ATRs. */
function atrExitParameters(
  atrStop: number,
  rewardRisk: number,
  stopDescription = 'Stop this many ATRs away',
): Record<'atrStop' | 'rewardRisk', ParameterSpec> {
  return {
    atrStop: { type: 'number', default: atrStop, minimum: 0.2, maximum: 20, description: stopDescription },
    rewardRisk: {
      type: 'number',
      default: rewardRisk,
      minimum: 0.5,
      maximum: 20,
      description: 'Target distance / stop distance',
    },
  };
}

/** A stop `atrStop` ATRs from the close, against the trade, and a target `rewardRisk` times as far the other way. */
function atrExits(
  action: 'buy' | 'sell',
  close: number,
  atr: number,
  params: Parameters,
): { stopLoss: number; takeProfit: number } {
  const direction = action === 'buy' ? 1 : -1;
  const risk = params.atrStop * atr;
  return { stopLoss: close - direction * risk, takeProfit: close + direction * params.rewardRisk * risk };
}

/**
 * Breakout (seed 002): the newest close breaks above the high of the previous `lookback` candles on
 * a volume surge (its volume at least `volumeSurge` times their average). Stop below the range low
 * (or `atrStop` ATRs below the close, whichever is closer), target `rewardRisk` times the risk above.
 */
export const breakout: Strategy = {
  name: 'breakout',
  description: 'Close above the range high of N bars on a volume surge; stop below the range',
  parameters: {
    lookback: {
      type: 'integer',
      default: 20,
      minimum: 5,
      maximum: 500,
      description: 'Bars forming the range',
    },
    volumeSurge: {
      type: 'number',
      default: 1.5,
      minimum: 1,
      maximum: 20,
      description: 'Volume / average volume',
    },
    atrPeriod: {
      type: 'integer',
      default: 14,
      minimum: 2,
      maximum: 200,
      description: 'ATR period for the stop',
    },
    ...atrExitParameters(2, 2, 'Stop at most this many ATRs away'),
  },
  minCandles: (params) => math.max(params.lookback, params.atrPeriod) + 1,
  stream(params: Parameters) {
    const minCandles = this.minCandles(params);
    const highs = new RollingExtreme(params.lookback, true);
    const lows = new RollingExtreme(params.lookback, false);
    const volumes = new Float64Array(params.lookback);
    let volume = 0;
    const atr = new Atr(params.atrPeriod);
    let seen = 0;
    const decide = (last: Candle, atrValue: number | undefined): Signal => {
      if (seen < minCandles) return hold('not enough candles');
      const high = highs.value;
      const low = lows.value;
      const averageVolume = volume / params.lookback;
      const surge = averageVolume > 0 ? last.volume / averageVolume : 0;
      if (last.close <= high) return hold(`no breakout: close ${last.close} within the range high ${high}`);
      if (surge < params.volumeSurge)
        return hold(
          `breakout above ${high} without volume: ${surge.toFixed(2)}x average, needs ${params.volumeSurge}x`,
        );
      const stopAtr = atrValue ?? last.close - low;
      const stopLoss = math.max(low, last.close - params.atrStop * stopAtr);
      const risk = last.close - stopLoss;
      if (!(risk > 0)) return hold('no room for a stop below the close');
      const strength = (last.close - high) / stopAtr;
      return {
        action: 'buy',
        confidence: clamp01(
          0.5 * math.min(1, surge / (2 * params.volumeSurge)) + 0.5 * math.min(1, strength),
        ),
        reason: `close ${last.close} broke the ${params.lookback}-bar high ${high} on ${surge.toFixed(2)}x volume`,
        stopLoss,
        takeProfit: last.close + params.rewardRisk * risk,
      };
    };
    return {
      next(candle: Candle): Signal {
        seen++;
        const signal = decide(candle, atr.update(candle.high, candle.low, candle.close));
        // The range is the `lookback` candles before the newest.
        const slot = (seen - 1) % params.lookback;
        volume += candle.volume - volumes[slot];
        volumes[slot] = candle.volume;
        highs.push(candle.high);
        lows.push(candle.low);
        return signal;
      },
    };
  },
};

/** EMA cross: buy when the fast EMA crosses above the slow one, sell when it crosses below. */
export const emaCross: Strategy = {
  name: 'ema_cross',
  description: 'Fast EMA crossing the slow EMA: above is buy, below is sell',
  parameters: {
    fast: { type: 'integer', default: 12, minimum: 2, maximum: 200, description: 'Fast EMA period' },
    slow: { type: 'integer', default: 26, minimum: 3, maximum: 400, description: 'Slow EMA period' },
    atrPeriod: {
      type: 'integer',
      default: 14,
      minimum: 2,
      maximum: 200,
      description: 'ATR period for the stop',
    },
    ...atrExitParameters(2, 2),
  },
  minCandles: (params) => math.max(params.slow, params.atrPeriod) + 2,
  stream(params: Parameters) {
    const minCandles = this.minCandles(params);
    const fastEma = new Ema(params.fast);
    const slowEma = new Ema(params.slow);
    const atr = new Atr(params.atrPeriod);
    let seen = 0;
    let previousFast: number | undefined;
    let previousSlow: number | undefined;
    const decide = (close: number, f1?: number, s1?: number, atrValue?: number): Signal => {
      if (params.fast >= params.slow) return hold('fast period must be shorter than slow');
      if (seen < minCandles) return hold('not enough candles');
      const [f0, s0] = [previousFast, previousSlow];
      if (f0 === undefined || s0 === undefined || f1 === undefined || s1 === undefined)
        return hold('EMAs not settled');
      const stopAtr = atrValue ?? close * 0.01;
      const gap = math.abs(f1 - s1) / stopAtr;
      if (f0 <= s0 && f1 > s1)
        return {
          action: 'buy',
          confidence: clamp01(0.4 + gap),
          reason: `EMA ${params.fast} crossed above EMA ${params.slow}`,
          ...atrExits('buy', close, stopAtr, params),
        };
      if (f0 >= s0 && f1 < s1)
        return {
          action: 'sell',
          confidence: clamp01(0.4 + gap),
          reason: `EMA ${params.fast} crossed below EMA ${params.slow}`,
          ...atrExits('sell', close, stopAtr, params),
        };
      return hold(`no cross: EMA ${params.fast} ${f1 > s1 ? 'above' : 'below'} EMA ${params.slow}`);
    };
    return {
      next(candle: Candle): Signal {
        seen++;
        const fast = fastEma.update(candle.close);
        const slow = slowEma.update(candle.close);
        const signal = decide(candle.close, fast, slow, atr.update(candle.high, candle.low, candle.close));
        previousFast = fast;
        previousSlow = slow;
        return signal;
      },
    };
  },
};

/** RSI mean reversion: buy when RSI rises back above the oversold level, sell when it falls back below overbought. */
export const rsiMeanReversion: Strategy = {
  name: 'rsi_mean_reversion',
  description: 'RSI leaving oversold is buy, leaving overbought is sell',
  parameters: {
    period: { type: 'integer', default: 14, minimum: 2, maximum: 200, description: 'RSI period' },
    oversold: { type: 'number', default: 30, minimum: 1, maximum: 50, description: 'Oversold level' },
    overbought: { type: 'number', default: 70, minimum: 50, maximum: 99, description: 'Overbought level' },
    ...atrExitParameters(1.5, 1.5),
  },
  minCandles: (params) => params.period + 2,
  stream(params: Parameters) {
    const minCandles = this.minCandles(params);
    const rsi = new Rsi(params.period);
    const atr = new Atr(params.period);
    const recent: Array<number | undefined> = [];
    let seen = 0;
    const decide = (close: number, atrValue: number | undefined): Signal => {
      if (seen < minCandles) return hold('not enough candles');
      const previous = recent[recent.length - 2];
      const current = recent[recent.length - 1];
      if (previous === undefined || current === undefined) return hold('RSI not settled');
      const stopAtr = atrValue ?? close * 0.01;
      const settled = recent.filter((value): value is number => value !== undefined);
      if (previous < params.oversold && current >= params.oversold)
        return {
          action: 'buy',
          confidence: clamp01((params.oversold - math.min(...settled)) / params.oversold + 0.4),
          reason: `RSI ${current.toFixed(1)} rose back above ${params.oversold}`,
          ...atrExits('buy', close, stopAtr, params),
        };
      if (previous > params.overbought && current <= params.overbought)
        return {
          action: 'sell',
          confidence: clamp01((math.max(...settled) - params.overbought) / (100 - params.overbought) + 0.4),
          reason: `RSI ${current.toFixed(1)} fell back below ${params.overbought}`,
          ...atrExits('sell', close, stopAtr, params),
        };
      return hold(`RSI ${current.toFixed(1)} between the levels or not turning`);
    };
    return {
      next(candle: Candle): Signal {
        seen++;
        recent.push(rsi.update(candle.close));
        if (recent.length > 5) recent.shift();
        return decide(candle.close, atr.update(candle.high, candle.low, candle.close));
      },
    };
  },
};

const ENTRY_LEVELS = [0.382, 0.5, 0.618];

/**
 * Fibonacci retracement (seed 000's levels): in an up-swing over the last `lookback` candles (low
 * before high), buy when the close is within `tolerance` of the 38.2 %, 50 % or 61.8 % retracement;
 * stop below the 78.6 % level, target the 161.8 % extension of the swing.
 */
export const fibonacciRetracement: Strategy = {
  name: 'fibonacci_retracement',
  description: 'Buy the 0.382/0.5/0.618 retracement of the last up-swing; target its 1.618 extension',
  parameters: {
    lookback: {
      type: 'integer',
      default: 50,
      minimum: 10,
      maximum: 1000,
      description: 'Bars holding the swing',
    },
    tolerance: {
      type: 'number',
      default: 0.02,
      minimum: 0.001,
      maximum: 0.2,
      description: 'Closeness to a level, as a share of the swing',
    },
  },
  minCandles: (params) => params.lookback,
  stream(params: Parameters) {
    const window = new CandleWindow(params.lookback);
    const decide = (): Signal => {
      if (window.length < params.lookback) return hold('not enough candles');
      let highIndex = 0;
      let lowIndex = 0;
      for (let index = 1; index < window.length; index++) {
        if (window.at(index).high > window.at(highIndex).high) highIndex = index;
        if (window.at(index).low < window.at(lowIndex).low) lowIndex = index;
      }
      const high = window.at(highIndex).high;
      const low = window.at(lowIndex).low;
      const swing = high - low;
      if (!(swing > 0)) return hold('no swing');
      if (lowIndex >= highIndex) return hold('the last swing is down: no retracement to buy');
      const close = window.at(window.length - 1).close;
      const retracement = (high - close) / swing;
      const nearest = ENTRY_LEVELS.reduce((best, level) =>
        math.abs(retracement - level) < math.abs(retracement - best) ? level : best,
      );
      const distance = math.abs(retracement - nearest);
      if (distance > params.tolerance)
        return hold(`close at ${(retracement * 100).toFixed(1)} % retracement, not at a level`);
      return {
        action: 'buy',
        confidence:
          clamp01(1 - distance / params.tolerance) * (nearest === 0.618 ? 1 : nearest === 0.5 ? 0.85 : 0.7),
        reason: `close at the ${(nearest * 100).toFixed(1)} % retracement of the swing ${low} -> ${high}`,
        stopLoss: high - 0.786 * swing,
        takeProfit: low + 1.618 * swing,
      };
    };
    return {
      next(candle: Candle): Signal {
        window.push(candle);
        return decide();
      },
    };
  },
};

export const BUILTIN_STRATEGIES: readonly Strategy[] = [
  breakout,
  emaCross,
  rsiMeanReversion,
  fibonacciRetracement,
];
