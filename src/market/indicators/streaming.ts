// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

/**
 * Streaming technical indicators: one `update` per new candle, O(1) or O(period) work, no
 * allocation per update. `value` is undefined until enough candles have been seen. Conventions (those
 * of TA-Lib and most charting tools): EMA seeded with the SMA of its first `period` values; RSI and ATR
 * with Wilder's smoothing seeded by a plain mean; Bollinger bands on the population standard deviation.
 */

/** Fixed-size window of the latest values. */
class Window {
  private readonly values: Float64Array;
  private next = 0;
  count = 0;

  constructor(readonly size: number) {
    this.values = new Float64Array(size);
  }

  /** Adds a value; returns the value that fell out of the window (NaN while it is filling). */
  push(value: number): number {
    const dropped = this.count === this.size ? this.values[this.next] : NaN;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
    return dropped;
  }

  get full(): boolean {
    return this.count === this.size;
  }

  forEach(visit: (value: number) => void): void {
    for (let i = 0; i < this.count; i++) visit(this.values[i]);
  }
}

export class Sma {
  private readonly window: Window;
  private sum = 0;
  value: number | undefined;

  constructor(readonly period: number) {
    this.window = new Window(period);
  }

  update(x: number): number | undefined {
    const dropped = this.window.push(x);
    this.sum += x - (Number.isNaN(dropped) ? 0 : dropped);
    if (this.window.full) this.value = this.sum / this.period;
    return this.value;
  }
}

export class Ema {
  private readonly alpha: number;
  private seedSum = 0;
  private seen = 0;
  value: number | undefined;

  constructor(readonly period: number) {
    this.alpha = 2 / (period + 1);
  }

  update(x: number): number | undefined {
    if (this.value === undefined) {
      this.seedSum += x;
      if (++this.seen === this.period) this.value = this.seedSum / this.period;
      return this.value;
    }
    this.value += this.alpha * (x - this.value);
    return this.value;
  }
}

/** Wilder's RSI. */
export class Rsi {
  private previous: number | undefined;
  private gainSum = 0;
  private lossSum = 0;
  private changes = 0;
  private avgGain = 0;
  private avgLoss = 0;
  value: number | undefined;

  constructor(readonly period = 14) {}

  update(close: number): number | undefined {
    if (this.previous === undefined) {
      this.previous = close;
      return undefined;
    }
    const change = close - this.previous;
    this.previous = close;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    if (this.changes < this.period) {
      this.gainSum += gain;
      this.lossSum += loss;
      if (++this.changes < this.period) return undefined;
      this.avgGain = this.gainSum / this.period;
      this.avgLoss = this.lossSum / this.period;
    } else {
      this.avgGain = (this.avgGain * (this.period - 1) + gain) / this.period;
      this.avgLoss = (this.avgLoss * (this.period - 1) + loss) / this.period;
    }
    this.value =
      this.avgLoss === 0 ? (this.avgGain === 0 ? 50 : 100) : 100 - 100 / (1 + this.avgGain / this.avgLoss);
    return this.value;
  }
}

export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}

export class Macd {
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signalEma: Ema;
  /** The MACD line alone, available before the signal line. */
  line: number | undefined;
  value: MacdValue | undefined;

  constructor(fast = 12, slow = 26, signal = 9) {
    this.fast = new Ema(fast);
    this.slow = new Ema(slow);
    this.signalEma = new Ema(signal);
  }

  update(close: number): MacdValue | undefined {
    const fast = this.fast.update(close);
    const slow = this.slow.update(close);
    if (fast === undefined || slow === undefined) return undefined;
    this.line = fast - slow;
    const signal = this.signalEma.update(this.line);
    if (signal === undefined) return undefined;
    this.value = { macd: this.line, signal, histogram: this.line - signal };
    return this.value;
  }
}

export interface BollingerValue {
  upper: number;
  middle: number;
  lower: number;
}

export class BollingerBands {
  private readonly window: Window;
  private sum = 0;
  value: BollingerValue | undefined;

  constructor(
    readonly period = 20,
    readonly deviations = 2,
  ) {
    this.window = new Window(period);
  }

  update(close: number): BollingerValue | undefined {
    const dropped = this.window.push(close);
    this.sum += close - (Number.isNaN(dropped) ? 0 : dropped);
    if (!this.window.full) return undefined;
    const middle = this.sum / this.period;
    // Deviations from the mean, not E[x^2] - E[x]^2: exact for prices in the tens of thousands.
    let squares = 0;
    this.window.forEach((value) => {
      squares += (value - middle) * (value - middle);
    });
    const spread = this.deviations * math.sqrt(squares / this.period);
    this.value = { upper: middle + spread, middle, lower: middle - spread };
    return this.value;
  }
}

/** Wilder's average true range. */
export class Atr {
  private previousClose: number | undefined;
  private trSum = 0;
  private seen = 0;
  value: number | undefined;

  constructor(readonly period = 14) {}

  update(high: number, low: number, close: number): number | undefined {
    const tr =
      this.previousClose === undefined
        ? high - low
        : math.max(high - low, math.abs(high - this.previousClose), math.abs(low - this.previousClose));
    this.previousClose = close;
    if (this.value === undefined) {
      this.trSum += tr;
      if (++this.seen === this.period) this.value = this.trSum / this.period;
      return this.value;
    }
    this.value = (this.value * (this.period - 1) + tr) / this.period;
    return this.value;
  }
}
