import { hash, normal, uniform } from './counter-random';
import type { Candle } from './market-types';
import { SimulatedPair } from './simulated-universe';

// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

/** The simulated history starts here; any minute after it can be computed directly. */
export const SIMULATION_EPOCH_MS = Date.UTC(2024, 0, 1);
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;

type Regime = 'trend_up' | 'trend_down' | 'range' | 'high_volatility';

/** Market (BTC factor) behaviour per regime: daily drift and daily volatility. */
const REGIMES: Record<Regime, { drift: number; vol: number; volume: number }> = {
  trend_up: { drift: 0.009, vol: 0.025, volume: 1.2 },
  trend_down: { drift: -0.008, vol: 0.028, volume: 1.3 },
  range: { drift: 0, vol: 0.015, volume: 0.8 },
  high_volatility: { drift: 0, vol: 0.055, volume: 2.0 },
};
const REGIME_ORDER: Regime[] = [
  'trend_up',
  'range',
  'trend_down',
  'range',
  'high_volatility',
  'trend_up',
  'range',
];
/** Days a regime lasts before the next draw. */
const REGIME_DAYS = 4;
/** Pull of a pair's log price towards its anchor, per day: keeps years of history plausible. */
const MEAN_REVERSION = 0.004;
const JUMP_PROBABILITY_PER_MINUTE = 1 / 3000;
const SURGE_PROBABILITY_PER_BLOCK = 0.03;
const SURGE_BLOCK_MINUTES = 15;

/** Stream ids, so different uses of (pair, day, minute) never share random numbers. */
const STREAM = {
  regime: 1,
  marketDay: 2,
  pairDay: 3,
  marketMinute: 4,
  pairMinute: 5,
  jump: 6,
  jumpSize: 7,
  surge: 8,
  volume: 9,
  wick: 10,
};
const MARKET = 9999;

/**
 * A deterministic market: every candle is a pure function of (seed, pair, minute). Daily anchor prices
 * follow a walk driven by a common BTC factor (with regimes: trends, ranges, high volatility) plus the
 * pair's own moves; the minutes of a day follow the same factor structure and are bridged so that the
 * day ends at the next anchor. Nothing depends on when it is asked, so two runs with one seed agree.
 */
export class SimulatedMarket {
  private readonly anchors = new Map<number, number[]>();
  private readonly dayCache = new Map<string, Candle[]>();

  constructor(
    readonly seed: number,
    readonly pairs: readonly SimulatedPair[],
  ) {}

  regimeOf(day: number): Regime {
    const episode = math.floor(day / REGIME_DAYS);
    return REGIME_ORDER[hash(this.seed, STREAM.regime, episode, 0, 0) % REGIME_ORDER.length];
  }

  /** The 1-minute candle of a pair that opens at `openTime` (a whole minute after the epoch). */
  candle(pairIndex: number, openTime: number): Candle {
    const { day, minute } = this.position(openTime);
    return this.dayCandles(pairIndex, day)[minute];
  }

  /** Consecutive 1-minute candles of a pair in [from, to). */
  candles(pairIndex: number, from: number, to: number): Candle[] {
    const out: Candle[] = [];
    for (let time = this.position(from).openTime; time < to; time += MINUTE_MS)
      out.push(this.candle(pairIndex, time));
    return out;
  }

  /** Open of a pair's day (= close of the day before): cheap, no minutes are generated. */
  dayOpen(pairIndex: number, day: number): number {
    return math.exp(this.anchorLogPrices(day)[pairIndex]);
  }

  /** All 1440 candles of a pair's day (cached: a day is computed once). */
  dayCandles(pairIndex: number, day: number): Candle[] {
    const key = `${pairIndex}:${day}`;
    let candles = this.dayCache.get(key);
    if (!candles) {
      candles = this.computeDay(pairIndex, day);
      if (this.dayCache.size > 512) this.dayCache.delete(this.dayCache.keys().next().value as string);
      this.dayCache.set(key, candles);
    }
    return candles;
  }

  /** Log price of every pair at the start of `day`. */
  private anchorLogPrices(day: number): number[] {
    const cached = this.anchors.get(day);
    if (cached) return cached;
    let start = day;
    while (start > 0 && !this.anchors.has(start)) start--;
    let logs = this.anchors.get(start) ?? this.pairs.map((pair) => math.log(pair.anchorPrice));
    if (start === 0) this.anchors.set(0, logs);
    for (let d = start; d < day; d++) {
      const regime = REGIMES[this.regimeOf(d)];
      const market = regime.drift + regime.vol * normal(this.seed, STREAM.marketDay, d, 0, 0);
      logs = logs.map((log, i) => {
        const pair = this.pairs[i];
        const own = pair.idiosyncraticDailyVol * normal(this.seed, STREAM.pairDay, i, d, 0);
        const pull = MEAN_REVERSION * (math.log(pair.anchorPrice) - log);
        return log + pair.beta * market + own + pull;
      });
      this.anchors.set(d + 1, logs);
    }
    return logs;
  }

  private computeDay(pairIndex: number, day: number): Candle[] {
    const pair = this.pairs[pairIndex];
    const regime = REGIMES[this.regimeOf(day)];
    const startLog = this.anchorLogPrices(day)[pairIndex];
    const endLog = this.anchorLogPrices(day + 1)[pairIndex];
    const marketMinuteVol = regime.vol / math.sqrt(MINUTES_PER_DAY);
    const ownMinuteVol = pair.idiosyncraticDailyVol / math.sqrt(MINUTES_PER_DAY);

    const returns = new Float64Array(MINUTES_PER_DAY);
    let sum = 0;
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      let r =
        pair.beta * marketMinuteVol * normal(this.seed, STREAM.marketMinute, MARKET, day, m) +
        ownMinuteVol * normal(this.seed, STREAM.pairMinute, pairIndex, day, m);
      // Occasional jumps: market-wide ones move every pair by its beta, own ones only this pair.
      if (uniform(this.seed, STREAM.jump, MARKET, day, m) < JUMP_PROBABILITY_PER_MINUTE) {
        r += pair.beta * 12 * marketMinuteVol * normal(this.seed, STREAM.jumpSize, MARKET, day, m);
      }
      if (uniform(this.seed, STREAM.jump, pairIndex, day, m) < JUMP_PROBABILITY_PER_MINUTE) {
        r += 15 * ownMinuteVol * normal(this.seed, STREAM.jumpSize, pairIndex, day, m);
      }
      returns[m] = r;
      sum += r;
    }
    // Bridge: spread the difference so the day closes at the next day's anchor.
    const correction = (endLog - startLog - sum) / MINUTES_PER_DAY;

    const candles: Candle[] = new Array<Candle>(MINUTES_PER_DAY);
    let log = startLog;
    const dayStart = SIMULATION_EPOCH_MS + day * DAY_MS;
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const r = returns[m] + correction;
      const open = math.exp(log);
      log += r;
      const close = math.exp(log);
      const wickScale = (marketMinuteVol + ownMinuteVol) * 0.6;
      const high =
        math.max(open, close) *
        math.exp(math.abs(normal(this.seed, STREAM.wick, pairIndex, day, m)) * wickScale);
      const low =
        math.min(open, close) *
        math.exp(-math.abs(normal(this.seed, STREAM.wick + 100, pairIndex, day, m)) * wickScale);
      const block = math.floor(m / SURGE_BLOCK_MINUTES);
      const surge =
        uniform(this.seed, STREAM.surge, pairIndex, day, block) < SURGE_PROBABILITY_PER_BLOCK
          ? 3 + 5 * uniform(this.seed, STREAM.surge + 100, pairIndex, day, block)
          : 1;
      const activity = 1 + math.min(4, math.abs(r) / (marketMinuteVol + ownMinuteVol));
      const noise = math.exp(0.35 * normal(this.seed, STREAM.volume, pairIndex, day, m));
      const quoteVolume = pair.quoteVolumePerMinute * regime.volume * activity * surge * noise;
      candles[m] = {
        openTime: dayStart + m * MINUTE_MS,
        open,
        high,
        low,
        close,
        volume: quoteVolume / ((open + close) / 2),
      };
    }
    return candles;
  }

  private position(openTime: number): { day: number; minute: number; openTime: number } {
    if (openTime < SIMULATION_EPOCH_MS) throw new RangeError('the simulated market starts on 2024-01-01');
    const minutes = math.floor((openTime - SIMULATION_EPOCH_MS) / MINUTE_MS);
    return {
      day: math.floor(minutes / MINUTES_PER_DAY),
      minute: minutes % MINUTES_PER_DAY,
      openTime: SIMULATION_EPOCH_MS + minutes * MINUTE_MS,
    };
  }
}
