import { hash, normal, uniform } from './counter-random';
import type { Candle } from './market-types';
import { onStep, SimulatedPair } from './simulated-universe';

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
  trend_up: { drift: 0.008, vol: 0.025, volume: 1.2 },
  trend_down: { drift: -0.008, vol: 0.028, volume: 1.3 },
  range: { drift: 0, vol: 0.015, volume: 0.8 },
  high_volatility: { drift: 0, vol: 0.055, volume: 2.0 },
};
/** Regimes drawn with these weights (as many falls as rises), never the same twice in a row. */
const REGIME_DRAW: Regime[] = [
  'trend_up',
  'range',
  'trend_down',
  'range',
  'high_volatility',
  'trend_up',
  'trend_down',
];
/** A regime lasts a random number of days in this range, so its end cannot be read off a calendar. */
const REGIME_MIN_DAYS = 2;
const REGIME_MAX_DAYS = 8;
/** Daily volatility of each pair's anchor: the level prices are held near drifts. */
const ANCHOR_DAILY_VOL = 0.006;
/** Log distance from the anchor within which nothing pulls the price (2.5x either way). */
const FREE_BAND = math.log(2.5);
/** Pull per day on the part of the log price beyond the free band. */
const MEAN_REVERSION = 0.01;
/**
 * Volatility clustering within a day (a GARCH(1,1) on each minute's variance, in units of the regime's):
 * a large move raises the next minutes' variance, which decays back with a half-life of about 35 minutes.
 */
const GARCH_SHOCK = 0.06;
const GARCH_PERSISTENCE = 0.92;
const MAX_VARIANCE = 30;
/** Variance (in units of the usual) a jump adds to the minutes after it: jumps come with volatility. */
const JUMP_VARIANCE = 6;
const JUMP_PROBABILITY_PER_MINUTE = 1 / 3000;
/** Size of a jump, in minutes' usual volatility: market-wide jumps and a pair's own. */
const MARKET_JUMP_SIZE = 12;
const OWN_JUMP_SIZE = 15;
/**
 * A minute's variance on average, in units of the usual, with the jumps and the volatility they leave:
 * the minutes' volatility is scaled by it so that a day's minutes vary as much as its close does. Where
 * they varied more, the bridge to the day's close pulled the hours back (an exploitable reversion).
 */
function meanMinuteVariance(jumpSize: number): number {
  const spikes = (JUMP_VARIANCE * JUMP_PROBABILITY_PER_MINUTE) / (1 - GARCH_SHOCK - GARCH_PERSISTENCE);
  return 1 + spikes + jumpSize ** 2 * JUMP_PROBABILITY_PER_MINUTE;
}
const MARKET_MINUTE_SCALE = 1 / math.sqrt(meanMinuteVariance(MARKET_JUMP_SIZE));
const OWN_MINUTE_SCALE = 1 / math.sqrt(meanMinuteVariance(OWN_JUMP_SIZE));
/** Rarer surges of volume with no price event, on top of the volume that follows moves and volatility. */
const SURGE_PROBABILITY_PER_BLOCK = 0.01;
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
  regimeLength: 11,
  anchor: 12,
};
const MARKET = 9999;

/**
 * Change of a day's log price from the pull of its anchor, given its log distance from it: none within
 * the free band (a price there has no drift a strategy could read from its level), a slow pull beyond.
 */
export function anchorPull(distance: number): number {
  return -MEAN_REVERSION * math.sign(distance) * math.max(0, math.abs(distance) - FREE_BAND);
}

/** Log prices of every pair at the start of a day, and the anchors they are held near. */
interface DayStart {
  logs: number[];
  anchors: number[];
}

interface Episode {
  start: number;
  regime: Regime;
}

/**
 * A deterministic market: every candle is a pure function of (seed, pair, minute). Daily prices follow a
 * walk driven by a common BTC factor (with regimes of random length: trends, ranges, high volatility)
 * plus the pair's own moves; the minutes of a day follow the same factor structure, with clustered
 * volatility and jumps, and are bridged so that the day ends at the next day's price. Prices, highs and
 * lows are on the pair's tick. Nothing depends on when it is asked, so two runs with one seed agree.
 */
export class SimulatedMarket {
  private readonly dayStarts = new Map<number, DayStart>();
  private readonly dayCache = new Map<string, Candle[]>();
  private readonly episodes: Episode[] = [];

  constructor(
    readonly seed: number,
    readonly pairs: readonly SimulatedPair[],
  ) {}

  regimeOf(day: number): Regime {
    while (this.episodes.length === 0 || this.nextEpisodeStart() <= day) this.addEpisode();
    let low = 0;
    let high = this.episodes.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.episodes[middle].start <= day) low = middle;
      else high = middle - 1;
    }
    return this.episodes[low].regime;
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
    return onStep(math.exp(this.dayStart(day).logs[pairIndex]), this.pairs[pairIndex].tickSize);
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

  private nextEpisodeStart(): number {
    const index = this.episodes.length - 1;
    const span = REGIME_MAX_DAYS - REGIME_MIN_DAYS + 1;
    const length = REGIME_MIN_DAYS + (hash(this.seed, STREAM.regimeLength, index, 0, 0) % span);
    return this.episodes[index].start + length;
  }

  private addEpisode(): void {
    const index = this.episodes.length;
    const start = index === 0 ? 0 : this.nextEpisodeStart();
    let regime = REGIME_DRAW[hash(this.seed, STREAM.regime, index, 0, 0) % REGIME_DRAW.length];
    const previous = this.episodes[index - 1]?.regime;
    for (let step = 1; regime === previous; step++)
      regime = REGIME_DRAW[(hash(this.seed, STREAM.regime, index, 0, 0) + step) % REGIME_DRAW.length];
    this.episodes.push({ start, regime });
  }

  /** Log price and anchor of every pair at the start of `day`. */
  private dayStart(day: number): DayStart {
    const cached = this.dayStarts.get(day);
    if (cached) return cached;
    let first = day;
    while (first > 0 && !this.dayStarts.has(first)) first--;
    let state: DayStart | undefined = this.dayStarts.get(first);
    if (!state) {
      const logs = this.pairs.map((pair) => math.log(pair.anchorPrice));
      state = { logs, anchors: [...logs] };
      this.dayStarts.set(0, state);
    }
    for (let d = first; d < day; d++) {
      const regime = REGIMES[this.regimeOf(d)];
      const market = regime.drift + regime.vol * normal(this.seed, STREAM.marketDay, d, 0, 0);
      const { logs, anchors }: DayStart = state;
      const next: DayStart = {
        logs: logs.map((log: number, i: number): number => {
          const pair = this.pairs[i];
          const own = pair.idiosyncraticDailyVol * normal(this.seed, STREAM.pairDay, i, d, 0);
          return log + pair.beta * market + own + anchorPull(log - anchors[i]);
        }),
        anchors: anchors.map(
          (anchor, i) => anchor + ANCHOR_DAILY_VOL * normal(this.seed, STREAM.anchor, i, d, 0),
        ),
      };
      this.dayStarts.set(d + 1, next);
      state = next;
    }
    return state;
  }

  private computeDay(pairIndex: number, day: number): Candle[] {
    const pair = this.pairs[pairIndex];
    const tick = pair.tickSize;
    const regime = REGIMES[this.regimeOf(day)];
    const startLog = this.dayStart(day).logs[pairIndex];
    const endLog = this.dayStart(day + 1).logs[pairIndex];
    const marketMinuteVol = MARKET_MINUTE_SCALE * pair.beta * (regime.vol / math.sqrt(MINUTES_PER_DAY));
    const ownMinuteVol = OWN_MINUTE_SCALE * (pair.idiosyncraticDailyVol / math.sqrt(MINUTES_PER_DAY));
    const usualMinuteVol = marketMinuteVol + ownMinuteVol;

    const returns = new Float64Array(MINUTES_PER_DAY);
    // Volatility of each minute relative to the usual: the market's part (shared by every pair, as it
    // comes from the market's shocks only) and the pair's own.
    const heat = new Float64Array(MINUTES_PER_DAY);
    let marketVariance = 1;
    let ownVariance = 1;
    let sum = 0;
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const marketShock = normal(this.seed, STREAM.marketMinute, MARKET, day, m);
      const ownShock = normal(this.seed, STREAM.pairMinute, pairIndex, day, m);
      let r =
        marketMinuteVol * math.sqrt(marketVariance) * marketShock +
        ownMinuteVol * math.sqrt(ownVariance) * ownShock;
      heat[m] =
        (marketMinuteVol * math.sqrt(marketVariance) + ownMinuteVol * math.sqrt(ownVariance)) /
        usualMinuteVol;
      let nextMarket =
        1 -
        GARCH_SHOCK -
        GARCH_PERSISTENCE +
        marketVariance * (GARCH_SHOCK * marketShock ** 2 + GARCH_PERSISTENCE);
      let nextOwn =
        1 - GARCH_SHOCK - GARCH_PERSISTENCE + ownVariance * (GARCH_SHOCK * ownShock ** 2 + GARCH_PERSISTENCE);
      // Occasional jumps: market-wide ones move every pair by its beta, own ones only this pair; each
      // leaves the minutes after it more volatile.
      if (uniform(this.seed, STREAM.jump, MARKET, day, m) < JUMP_PROBABILITY_PER_MINUTE) {
        r += MARKET_JUMP_SIZE * marketMinuteVol * normal(this.seed, STREAM.jumpSize, MARKET, day, m);
        nextMarket += JUMP_VARIANCE;
      }
      if (uniform(this.seed, STREAM.jump, pairIndex, day, m) < JUMP_PROBABILITY_PER_MINUTE) {
        r += OWN_JUMP_SIZE * ownMinuteVol * normal(this.seed, STREAM.jumpSize, pairIndex, day, m);
        nextOwn += JUMP_VARIANCE;
      }
      marketVariance = math.min(MAX_VARIANCE, nextMarket);
      ownVariance = math.min(MAX_VARIANCE, nextOwn);
      returns[m] = r;
      sum += r;
    }
    // Bridge: spread the difference so the day closes at the next day's price.
    const correction = (endLog - startLog - sum) / MINUTES_PER_DAY;

    const candles: Candle[] = new Array<Candle>(MINUTES_PER_DAY);
    let log = startLog;
    let open = onStep(math.exp(log), tick);
    const dayStart = SIMULATION_EPOCH_MS + day * DAY_MS;
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const r = returns[m] + correction;
      log = m === MINUTES_PER_DAY - 1 ? endLog : log + r;
      const close = onStep(math.exp(log), tick);
      const wickScale = usualMinuteVol * heat[m] * 0.6;
      const high = onStep(
        math.max(open, close) *
          math.exp(math.abs(normal(this.seed, STREAM.wick, pairIndex, day, m)) * wickScale),
        tick,
      );
      const low = onStep(
        math.min(open, close) *
          math.exp(-math.abs(normal(this.seed, STREAM.wick + 100, pairIndex, day, m)) * wickScale),
        tick,
      );
      const block = math.floor(m / SURGE_BLOCK_MINUTES);
      const surge =
        uniform(this.seed, STREAM.surge, pairIndex, day, block) < SURGE_PROBABILITY_PER_BLOCK
          ? 2 + 2 * uniform(this.seed, STREAM.surge + 100, pairIndex, day, block)
          : 1;
      // Volume follows the size of the move and the volatility of the moment (so it surges with jumps
      // and volatility spikes), with noise of its own.
      const activity = 1 + math.min(4, math.abs(r) / usualMinuteVol);
      const noise = math.exp(0.35 * normal(this.seed, STREAM.volume, pairIndex, day, m));
      const quoteVolume = pair.quoteVolumePerMinute * regime.volume * activity * heat[m] * surge * noise;
      candles[m] = {
        openTime: dayStart + m * MINUTE_MS,
        open,
        high,
        low,
        close,
        volume: quoteVolume / ((open + close) / 2),
      };
      open = close;
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
