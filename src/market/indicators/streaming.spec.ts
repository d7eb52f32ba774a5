import { SIMULATION_EPOCH_MS, SimulatedMarket } from '../simulated-market';
import { SIMULATED_UNIVERSE } from '../simulated-universe';
import { Atr, BollingerBands, BollingerValue, Ema, Macd, Rsi, Sma } from './streaming';

/**
 * Reference implementations written from the textbook definitions, recomputing from scratch at every
 * index (no state carried between indexes except where the definition itself is recursive).
 */
const reference = {
  sma(values: number[], n: number): Array<number | undefined> {
    return values.map((_, i) =>
      i < n - 1 ? undefined : values.slice(i - n + 1, i + 1).reduce((a, b) => a + b, 0) / n,
    );
  },
  ema(values: number[], n: number): Array<number | undefined> {
    const out: Array<number | undefined> = values.map(() => undefined);
    if (values.length < n) return out;
    let ema = values.slice(0, n).reduce((a, b) => a + b, 0) / n;
    out[n - 1] = ema;
    const k = 2 / (n + 1);
    for (let i = n; i < values.length; i++) {
      ema = values[i] * k + ema * (1 - k);
      out[i] = ema;
    }
    return out;
  },
  rsi(closes: number[], n: number): Array<number | undefined> {
    const out: Array<number | undefined> = closes.map(() => undefined);
    const gains = closes.slice(1).map((c, i) => Math.max(c - closes[i], 0));
    const losses = closes.slice(1).map((c, i) => Math.max(closes[i] - c, 0));
    if (gains.length < n) return out;
    let avgGain = gains.slice(0, n).reduce((a, b) => a + b, 0) / n;
    let avgLoss = losses.slice(0, n).reduce((a, b) => a + b, 0) / n;
    const rsi = () => (avgLoss === 0 ? 100 : 100 - 100 / (1 + avgGain / avgLoss));
    out[n] = rsi();
    for (let i = n; i < gains.length; i++) {
      avgGain = (avgGain * (n - 1) + gains[i]) / n;
      avgLoss = (avgLoss * (n - 1) + losses[i]) / n;
      out[i + 1] = rsi();
    }
    return out;
  },
  stdev(values: number[]): number {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
  },
  atr(highs: number[], lows: number[], closes: number[], n: number): Array<number | undefined> {
    const trs = highs.map((h, i) =>
      i === 0
        ? h - lows[i]
        : Math.max(h - lows[i], Math.abs(h - closes[i - 1]), Math.abs(lows[i] - closes[i - 1])),
    );
    const out: Array<number | undefined> = trs.map(() => undefined);
    let atr = trs.slice(0, n).reduce((a, b) => a + b, 0) / n;
    out[n - 1] = atr;
    for (let i = n; i < trs.length; i++) {
      atr = (atr * (n - 1) + trs[i]) / n;
      out[i] = atr;
    }
    return out;
  },
};

/** |actual - expected| <= 1e-9, relative to the size of the value (prices reach 10^5). */
function expectClose(actual: number | undefined, expected: number | undefined, label: string): void {
  const matches =
    expected === undefined
      ? actual === undefined
      : actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  expect({ label, actual, expected, matches }).toEqual({ label, actual, expected, matches: true });
}

describe('streaming indicators against from-scratch references', () => {
  const market = new SimulatedMarket(11, SIMULATED_UNIVERSE);
  const series = market.candles(
    0,
    SIMULATION_EPOCH_MS + 300 * 86_400_000,
    SIMULATION_EPOCH_MS + 300 * 86_400_000 + 600 * 60_000,
  );
  const closes = series.map((c) => c.close);

  it('SMA and EMA', () => {
    for (const n of [1, 5, 20, 50]) {
      const sma = new Sma(n);
      const ema = new Ema(n);
      const smaRef = reference.sma(closes, n);
      const emaRef = reference.ema(closes, n);
      closes.forEach((close, i) => {
        expectClose(sma.update(close), smaRef[i], `SMA${n}[${i}]`);
        expectClose(ema.update(close), emaRef[i], `EMA${n}[${i}]`);
      });
    }
  });

  it('RSI (Wilder)', () => {
    const rsi = new Rsi(14);
    const expected = reference.rsi(closes, 14);
    closes.forEach((close, i) => expectClose(rsi.update(close), expected[i], `RSI[${i}]`));
  });

  it('MACD 12/26/9: the difference of EMAs and the EMA of that difference', () => {
    const macd = new Macd(12, 26, 9);
    const fast = reference.ema(closes, 12);
    const slow = reference.ema(closes, 26);
    const lineFrom = 25;
    const line = closes.slice(lineFrom).map((_, j) => fast[lineFrom + j]! - slow[lineFrom + j]!);
    const signal = reference.ema(line, 9);
    const values = closes.map((close) => macd.update(close));
    // Nothing until the signal line has its nine values.
    expect(values.slice(0, lineFrom + 8)).toEqual(Array(lineFrom + 8).fill(undefined));
    values.slice(lineFrom + 8).forEach((value, k) => {
      const i = lineFrom + 8 + k;
      const j = i - lineFrom;
      expectClose(value!.macd, line[j], `MACD[${i}]`);
      expectClose(value!.signal, signal[j], `signal[${i}]`);
      expectClose(value!.histogram, line[j] - signal[j]!, `histogram[${i}]`);
    });
  });

  it('Bollinger bands 20/2 on the population standard deviation', () => {
    const bands = new BollingerBands(20, 2);
    const values = closes.map((close) => bands.update(close));
    expect(values.slice(0, 19)).toEqual(Array(19).fill(undefined));
    values.slice(19).forEach((value, k) => {
      const i = 19 + k;
      const window = closes.slice(i - 19, i + 1);
      const middle = window.reduce((a, b) => a + b, 0) / 20;
      const sd = reference.stdev(window);
      expectClose(value!.middle, middle, `middle[${i}]`);
      expectClose(value!.upper, middle + 2 * sd, `upper[${i}]`);
      expectClose(value!.lower, middle - 2 * sd, `lower[${i}]`);
    });
  });

  it('ATR (Wilder)', () => {
    const atr = new Atr(14);
    const expected = reference.atr(
      series.map((c) => c.high),
      series.map((c) => c.low),
      closes,
      14,
    );
    series.forEach((c, i) => expectClose(atr.update(c.high, c.low, c.close), expected[i], `ATR[${i}]`));
  });

  it('matches hand-computed values on a small series', () => {
    // closes 1..20: SMA20 = 10.5, population sd = sqrt((20^2 - 1) / 12) = 5.766281297335398
    const bands = new BollingerBands(20, 2);
    let last: BollingerValue | undefined;
    for (let i = 1; i <= 20; i++) last = bands.update(i);
    expect(last?.middle).toBe(10.5);
    expect(last?.upper).toBeCloseTo(10.5 + 2 * 5.766281297335398, 12);
    // RSI of a series that only rises is 100; of a flat one, 50.
    const rising = new Rsi(3);
    [1, 2, 3, 4, 5].forEach((x) => rising.update(x));
    expect(rising.value).toBe(100);
    const flat = new Rsi(3);
    [5, 5, 5, 5].forEach((x) => flat.update(x));
    expect(flat.value).toBe(50);
    // EMA3 of 1,2,3,4: seed SMA(1,2,3) = 2, then 2 + 0.5 * (4 - 2) = 3.
    const ema = new Ema(3);
    [1, 2, 3, 4].forEach((x) => ema.update(x));
    expect(ema.value).toBe(3);
  });
});
