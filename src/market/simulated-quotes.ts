import { hash, normal } from './counter-random';
import { MINUTE_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from './simulated-market';
import { aggregateCandles, Timeframe, TIMEFRAME_MS } from './timeframes';
import type { BookLevel, Candle, OrderBook, Ticker } from './market-types';
import { onStep, SimulatedPair } from './simulated-universe';

// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

const STREAM_TICK = 21;
const STREAM_BOOK = 22;
const STREAM_EXTREMES = 23;

interface LastDay {
  openTime: number;
  high: number;
  low: number;
  volume: number;
  quoteVolume: number;
  reference: number | null;
}

/**
 * Second-by-second prices, tickers and order books of the simulated market, consistent with its
 * candles: within a minute the price moves from the candle's open to its close and trades its high
 * and its low, never beyond. Deterministic for a given seed and time.
 */
export class SimulatedQuotes {
  /** Per pair, the 24 hours of whole minutes before the current one: they change once a minute. */
  private readonly lastDays = new Map<number, LastDay>();

  constructor(private readonly market: SimulatedMarket) {}

  get pairs(): readonly SimulatedPair[] {
    return this.market.pairs;
  }

  /** Closed candles of a timeframe from `since` on, oldest first, at most `limit`, none after `nowMs`. */
  candles(pairIndex: number, timeframe: Timeframe, since: number, limit: number, nowMs: number): Candle[] {
    const span = TIMEFRAME_MS[timeframe];
    const from = math.max(SIMULATION_EPOCH_MS, math.ceil(since / span) * span);
    const lastClosedEnd = math.floor(nowMs / span) * span;
    const to = math.min(lastClosedEnd, from + limit * span);
    if (to <= from) return [];
    const minutes = this.market.candles(pairIndex, from, to);
    return timeframe === '1m' ? minutes : aggregateCandles(minutes, MINUTE_MS, span);
  }

  pairIndex(symbol: string): number {
    return this.market.pairs.findIndex((pair) => pair.symbol === symbol);
  }

  /**
   * The last traded price at `timeMs` (second resolution). Within a minute the price runs from the
   * candle's open through its high and its low (each reached at a second of its own, in an order drawn
   * per minute: a rising minute more often dips first) to its close, with a wiggle that stays inside
   * the range. So the per-second path trades the candle's high and low exactly: a stop a backtest sees
   * touched by a wick, the paper market's last price touches too.
   */
  priceAt(pairIndex: number, timeMs: number): number {
    const openTime = math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const candle = this.market.candle(pairIndex, openTime);
    const second = math.floor((timeMs - openTime) / 1000);
    const minuteIndex = openTime / MINUTE_MS;
    const [from, to] = this.segmentOf(pairIndex, minuteIndex, candle, second);
    const fraction = (second - from[0]) / (to[0] - from[0]);
    const line = from[1] + (to[1] - from[1]) * fraction;
    const wiggle =
      0.2 *
      (candle.high - candle.low) *
      math.sin(math.PI * fraction) *
      normal(this.market.seed, STREAM_TICK, pairIndex, minuteIndex, second);
    const tick = this.market.pairs[pairIndex].tickSize;
    return onStep(math.min(candle.high, math.max(candle.low, line + wiggle)), tick);
  }

  /** The two points of the minute's path (second, price) that `second` lies between. */
  private segmentOf(
    pairIndex: number,
    minuteIndex: number,
    candle: Candle,
    second: number,
  ): [[number, number], [number, number]] {
    const draw = hash(this.market.seed, STREAM_EXTREMES, pairIndex, minuteIndex, 0);
    // Two distinct seconds in 1..59.
    const a = 1 + (draw % 59);
    let b = 1 + ((draw >>> 8) % 58);
    if (b >= a) b++;
    const rising = candle.close >= candle.open;
    const highFirst = ((draw >>> 20) & 1023) < (rising ? 307 : 717);
    const points: [number, number][] = [
      [0, candle.open],
      [math.min(a, b), highFirst ? candle.high : candle.low],
      [math.max(a, b), highFirst ? candle.low : candle.high],
      [60, candle.close],
    ];
    let index = 0;
    while (second >= points[index + 1][0]) index++;
    return [points[index], points[index + 1]];
  }

  /** Quoted spread: the pair's usual spread, wider when the current minute is volatile. */
  private halfSpread(pairIndex: number, candle: Candle, price: number): number {
    const pair = this.market.pairs[pairIndex];
    const range = (candle.high - candle.low) / price;
    const spread = (pair.spreadBps / 10_000) * (1 + math.min(4, range * 400));
    return math.max(pair.tickSize, (price * spread) / 2);
  }

  orderBook(pairIndex: number, timeMs: number, depth: number): OrderBook {
    const pair = this.market.pairs[pairIndex];
    const second = math.floor(timeMs / 1000);
    const openTime = math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const candle = this.market.candle(pairIndex, openTime);
    const mid = this.priceAt(pairIndex, timeMs);
    const half = this.halfSpread(pairIndex, candle, mid);
    // Liquidity near the touch is a few seconds of typical volume; it grows with distance from mid.
    const touchQuote = pair.quoteVolumePerMinute * 0.04;
    const level = (side: 0 | 1, i: number): BookLevel => {
      const offset = half + i * math.max(pair.tickSize, mid * 0.00008) * (1 + i * 0.15);
      const price = onStep(side === 0 ? mid - offset : mid + offset, pair.tickSize);
      const noise = math.exp(0.5 * normal(this.market.seed, STREAM_BOOK, pairIndex * 2 + side, second, i));
      const amount = math.max(pair.stepSize, (touchQuote * (1 + i * 0.35) * noise) / price);
      return [price, onStep(amount, pair.stepSize)];
    };
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let i = 0; i < depth; i++) {
      bids.push(level(0, i));
      asks.push(level(1, i));
    }
    return { symbol: pair.symbol, bids, asks, timestamp: second * 1000 };
  }

  /** High, low and volumes of the 1440 minutes before `openTime`, computed once per pair and minute. */
  private lastDayBefore(pairIndex: number, openTime: number): LastDay {
    const cached = this.lastDays.get(pairIndex);
    if (cached?.openTime === openTime) return cached;
    const candles = this.market.candles(pairIndex, openTime - 1440 * MINUTE_MS, openTime);
    const day: LastDay = {
      openTime,
      high: -Infinity,
      low: Infinity,
      volume: 0,
      quoteVolume: 0,
      reference: candles[0]?.open ?? null,
    };
    for (const candle of candles) {
      day.high = math.max(day.high, candle.high);
      day.low = math.min(day.low, candle.low);
      day.volume += candle.volume;
      day.quoteVolume += candle.volume * ((candle.open + candle.close) / 2);
    }
    this.lastDays.set(pairIndex, day);
    return day;
  }

  ticker(pairIndex: number, timeMs: number): Ticker {
    const pair = this.market.pairs[pairIndex];
    const openTime = math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const day = this.lastDayBefore(pairIndex, openTime);
    const last = this.priceAt(pairIndex, timeMs);
    const book = this.orderBook(pairIndex, timeMs, 1);
    const high = math.max(last, day.high);
    const low = math.min(last, day.low);
    const { volume, quoteVolume } = day;
    const reference = day.reference ?? last;
    return {
      symbol: pair.symbol,
      last,
      bid: book.bids[0][0],
      ask: book.asks[0][0],
      high24h: high,
      low24h: low,
      volume24h: volume,
      quoteVolume24h: quoteVolume,
      change24hPercent: math.round(((last - reference) / reference) * 10_000) / 100,
      timestamp: math.floor(timeMs / 1000) * 1000,
    };
  }
}
