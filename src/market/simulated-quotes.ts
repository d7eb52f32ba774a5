import { normal } from './counter-random';
import { MINUTE_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from './simulated-market';
import { aggregateCandles, Timeframe, TIMEFRAME_MS } from './timeframes';
import type { BookLevel, Candle, OrderBook, Ticker } from './market-types';
import { SimulatedPair } from './simulated-universe';

const STREAM_TICK = 21;
const STREAM_BOOK = 22;

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

/** Digits a step has, to print rounded values without float noise (0.1 -> 1). */
function decimalsOf(step: number): number {
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

/**
 * Second-by-second prices, tickers and order books of the simulated market, consistent with its
 * candles: within a minute the price moves from the candle's open to its close and stays inside its
 * high and low. Deterministic for a given seed and time.
 */
export class SimulatedQuotes {
  constructor(private readonly market: SimulatedMarket) {}

  get pairs(): readonly SimulatedPair[] {
    return this.market.pairs;
  }

  /** Closed candles of a timeframe from `since` on, oldest first, at most `limit`, none after `nowMs`. */
  candles(pairIndex: number, timeframe: Timeframe, since: number, limit: number, nowMs: number): Candle[] {
    const span = TIMEFRAME_MS[timeframe];
    const from = Math.max(SIMULATION_EPOCH_MS, Math.ceil(since / span) * span);
    const lastClosedEnd = Math.floor(nowMs / span) * span;
    const to = Math.min(lastClosedEnd, from + limit * span);
    if (to <= from) return [];
    const minutes = this.market.candles(pairIndex, from, to);
    return timeframe === '1m' ? minutes : aggregateCandles(minutes, MINUTE_MS, span);
  }

  pairIndex(symbol: string): number {
    return this.market.pairs.findIndex((pair) => pair.symbol === symbol);
  }

  /** The last traded price at `timeMs` (second resolution). */
  priceAt(pairIndex: number, timeMs: number): number {
    const openTime = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const candle = this.market.candle(pairIndex, openTime);
    const second = Math.floor((timeMs - openTime) / 1000);
    const fraction = second / 60;
    const drift = candle.open + (candle.close - candle.open) * fraction;
    const wiggle =
      0.25 *
      (candle.high - candle.low) *
      Math.sin(Math.PI * fraction) *
      normal(this.market.seed, STREAM_TICK, pairIndex, openTime / MINUTE_MS, second);
    const pair = this.market.pairs[pairIndex];
    const decimals = decimalsOf(pair.tickSize);
    return Number(
      roundTo(Math.min(candle.high, Math.max(candle.low, drift + wiggle)), pair.tickSize).toFixed(decimals),
    );
  }

  /** Quoted spread: the pair's usual spread, wider when the current minute is volatile. */
  private halfSpread(pairIndex: number, candle: Candle, price: number): number {
    const pair = this.market.pairs[pairIndex];
    const range = (candle.high - candle.low) / price;
    const spread = (pair.spreadBps / 10_000) * (1 + Math.min(4, range * 400));
    return Math.max(pair.tickSize, (price * spread) / 2);
  }

  orderBook(pairIndex: number, timeMs: number, depth: number): OrderBook {
    const pair = this.market.pairs[pairIndex];
    const second = Math.floor(timeMs / 1000);
    const openTime = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const candle = this.market.candle(pairIndex, openTime);
    const mid = this.priceAt(pairIndex, timeMs);
    const half = this.halfSpread(pairIndex, candle, mid);
    const priceDecimals = decimalsOf(pair.tickSize);
    const amountDecimals = decimalsOf(pair.stepSize);
    // Liquidity near the touch is a few seconds of typical volume; it grows with distance from mid.
    const touchQuote = pair.quoteVolumePerMinute * 0.04;
    const level = (side: 0 | 1, i: number): BookLevel => {
      const offset = half + i * Math.max(pair.tickSize, mid * 0.00008) * (1 + i * 0.15);
      const price = Number(
        roundTo(side === 0 ? mid - offset : mid + offset, pair.tickSize).toFixed(priceDecimals),
      );
      const noise = Math.exp(0.5 * normal(this.market.seed, STREAM_BOOK, pairIndex * 2 + side, second, i));
      const amount = Math.max(pair.stepSize, (touchQuote * (1 + i * 0.35) * noise) / price);
      return [price, Number(roundTo(amount, pair.stepSize).toFixed(amountDecimals))];
    };
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let i = 0; i < depth; i++) {
      bids.push(level(0, i));
      asks.push(level(1, i));
    }
    return { symbol: pair.symbol, bids, asks, timestamp: second * 1000 };
  }

  ticker(pairIndex: number, timeMs: number): Ticker {
    const pair = this.market.pairs[pairIndex];
    const openTime = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const dayAgo = openTime - 1440 * MINUTE_MS;
    const candles = this.market.candles(pairIndex, dayAgo, openTime);
    const last = this.priceAt(pairIndex, timeMs);
    const book = this.orderBook(pairIndex, timeMs, 1);
    let high = last;
    let low = last;
    let volume = 0;
    let quoteVolume = 0;
    for (const candle of candles) {
      high = Math.max(high, candle.high);
      low = Math.min(low, candle.low);
      volume += candle.volume;
      quoteVolume += candle.volume * ((candle.open + candle.close) / 2);
    }
    const reference = candles[0]?.open ?? last;
    return {
      symbol: pair.symbol,
      last,
      bid: book.bids[0][0],
      ask: book.asks[0][0],
      high24h: high,
      low24h: low,
      volume24h: volume,
      quoteVolume24h: quoteVolume,
      change24hPercent: Math.round(((last - reference) / reference) * 10_000) / 100,
      timestamp: Math.floor(timeMs / 1000) * 1000,
    };
  }
}
