/**
 * Streaming EMA20 + RSI14 + MACD(12,26,9) + Bollinger(20,2) + ATR14, one update per candle, against a
 * fused hand-written loop computing the same five over the same candles (the floor).
 */
import { Atr, BollingerBands, Ema, Macd, Rsi } from '../src/market/indicators/streaming';
import type { Candle } from '../src/market/market-types';
import { DAY_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from '../src/market/simulated-market';
import { SIMULATED_UNIVERSE } from '../src/market/simulated-universe';
import { median } from './support/load';

const CANDLES = 300_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Final {
  ema: number;
  rsi: number;
  macd: number;
  signal: number;
  upper: number;
  atr: number;
}

function streaming(candles: Candle[]): Final {
  const ema = new Ema(20);
  const rsi = new Rsi(14);
  const macd = new Macd(12, 26, 9);
  const bands = new BollingerBands(20, 2);
  const atr = new Atr(14);
  for (const c of candles) {
    ema.update(c.close);
    rsi.update(c.close);
    macd.update(c.close);
    bands.update(c.close);
    atr.update(c.high, c.low, c.close);
  }
  return {
    ema: ema.value!,
    rsi: rsi.value!,
    macd: macd.value!.macd,
    signal: macd.value!.signal,
    upper: bands.value!.upper,
    atr: atr.value!,
  };
}

/** Everything inline in one loop over plain arrays: what a hand-tuned implementation costs. */
function fused(high: Float64Array, low: Float64Array, close: Float64Array): Final {
  const n = close.length;
  const kEma = 2 / 21;
  const k12 = 2 / 13;
  const k26 = 2 / 27;
  const k9 = 2 / 10;
  let ema = 0;
  let e12 = 0;
  let e26 = 0;
  let sig = 0;
  let sigSeed = 0;
  let macdCount = 0;
  let gain = 0;
  let loss = 0;
  let atr = 0;
  let bbSum = 0;
  let upper = 0;
  let macd = 0;
  let rsi = 0;
  const window = new Float64Array(20);
  for (let i = 0; i < n; i++) {
    const c = close[i];
    // EMA 20 (SMA seed)
    if (i < 20) {
      ema += c;
      if (i === 19) ema /= 20;
    } else ema += kEma * (c - ema);
    // MACD
    if (i < 12) {
      e12 += c;
      if (i === 11) e12 /= 12;
    } else e12 += k12 * (c - e12);
    if (i < 26) {
      e26 += c;
      if (i === 25) e26 /= 26;
    } else e26 += k26 * (c - e26);
    if (i >= 25) {
      macd = e12 - e26;
      if (macdCount < 9) {
        sigSeed += macd;
        if (++macdCount === 9) sig = sigSeed / 9;
      } else sig += k9 * (macd - sig);
    }
    // RSI 14 (Wilder)
    if (i > 0) {
      const d = c - close[i - 1];
      const g = d > 0 ? d : 0;
      const l = d < 0 ? -d : 0;
      if (i <= 14) {
        gain += g / 14;
        loss += l / 14;
      } else {
        gain = (gain * 13 + g) / 14;
        loss = (loss * 13 + l) / 14;
      }
      if (i >= 14) rsi = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
    }
    // Bollinger 20/2
    const slot = i % 20;
    bbSum += c - (i >= 20 ? window[slot] : 0);
    window[slot] = c;
    if (i >= 19) {
      const mean = bbSum / 20;
      let sq = 0;
      for (let j = 0; j < 20; j++) sq += (window[j] - mean) * (window[j] - mean);
      upper = mean + 2 * Math.sqrt(sq / 20);
    }
    // ATR 14 (Wilder)
    const tr =
      i === 0
        ? high[i] - low[i]
        : Math.max(high[i] - low[i], Math.abs(high[i] - close[i - 1]), Math.abs(low[i] - close[i - 1]));
    if (i < 14) {
      atr += tr;
      if (i === 13) atr /= 14;
    } else atr = (atr * 13 + tr) / 14;
  }
  return { ema, rsi, macd, signal: sig, upper, atr };
}

function nsPerCandle(work: () => unknown): number {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / CANDLES;
}

function main(): void {
  const market = new SimulatedMarket(42, SIMULATED_UNIVERSE);
  const start = SIMULATION_EPOCH_MS + 100 * DAY_MS;
  const candles = market.candles(0, start, start + CANDLES * 60_000);
  const high = Float64Array.from(candles, (c) => c.high);
  const low = Float64Array.from(candles, (c) => c.low);
  const close = Float64Array.from(candles, (c) => c.close);

  // Same answers, or the floor measures something else.
  const a = streaming(candles);
  const b = fused(high, low, close);
  for (const key of Object.keys(a) as Array<keyof Final>) {
    if (Math.abs(a[key] - b[key]) > 1e-6 * Math.max(1, Math.abs(b[key])))
      throw new Error(`${key}: streaming ${a[key]} vs fused ${b[key]}`);
  }
  const subject: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    floor.push(nsPerCandle(() => fused(high, low, close)));
    subject.push(nsPerCandle(() => streaming(candles)));
  }
  const ratio = median(subject) / median(floor);
  console.log(
    `indicators EMA+RSI+MACD+BB+ATR per candle: streaming ${median(subject).toFixed(1)} ns vs fused loop ${median(floor).toFixed(1)} ns -> ratio ${ratio.toFixed(2)} ` +
      `(target <= 8, ${ratio <= 8 ? 'met' : 'NOT met'}); ${(1000 / median(subject)).toFixed(1)} M candles/s`,
  );
}

main();
