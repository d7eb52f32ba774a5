import type { Candle } from '../market/market-types';
import { Atr, BollingerBands, Ema, Macd, Rsi } from '../market/indicators/streaming';

// Math through a module constant (a slow global lookup under Jest's vm context otherwise).
const math = Math;

/**
 * The features a model sees at a candle's close, in this order. Returns are log returns over 1, 4, 16
 * and 96 candles; volatility the standard deviation of the last 24 one-candle returns; RSI over 100;
 * the MACD histogram and ATR over the close; Bollinger %b of (20, 2); the volume's z-score and the
 * close's place in the high-low range of the last 48 candles; correlation and beta of the last 96
 * one-candle returns to BTC/USDT's; hour of day and day of week on the unit circle; and from the higher
 * timeframe (4 candles), its closed candles only: the last one's return, RSI (14) over 100 and the
 * close against its EMA (12).
 */
export const FEATURE_NAMES = [
  'return_1',
  'return_4',
  'return_16',
  'return_96',
  'volatility_24',
  'rsi_14',
  'macd_histogram',
  'bollinger_percent_b',
  'atr_percent',
  'volume_zscore_48',
  'range_position_48',
  'btc_correlation_96',
  'btc_beta_96',
  'hour_sin',
  'hour_cos',
  'weekday_sin',
  'weekday_cos',
  'htf_return',
  'htf_rsi_14',
  'htf_trend',
] as const;

export const FEATURE_COUNT = FEATURE_NAMES.length;
/** Candles of the timeframe that make one candle of the higher timeframe. */
export const HIGHER_TIMEFRAME_FACTOR = 4;
const RETURN_WINDOW = 96;
const RANGE_WINDOW = 48;
const VOLATILITY_WINDOW = 24;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** A fixed window of numbers with running sums. */
class Ring {
  readonly values: Float64Array;
  private next = 0;
  count = 0;

  constructor(readonly size: number) {
    this.values = new Float64Array(size);
  }

  /** Adds a value; returns the one that fell out (0 while filling). */
  push(value: number): number {
    const dropped = this.count === this.size ? this.values[this.next] : 0;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
    return dropped;
  }

  /** The value `back` places before the newest (0: the newest). */
  ago(back: number): number {
    return this.values[(this.next - 1 - back + this.size * 2) % this.size];
  }

  get full(): boolean {
    return this.count === this.size;
  }
}

/**
 * One symbol's features, one update per closed candle (the same code trains, predicts live and backtests):
 * O(window) work per candle, nothing read from after the candle. BTC's one-candle log return at the same
 * candle is given by the caller (null when unknown: the correlation then keeps its last value).
 */
export class FeatureStream {
  private readonly closes = new Ring(RETURN_WINDOW + 1);
  private readonly highs = new Ring(RANGE_WINDOW);
  private readonly lows = new Ring(RANGE_WINDOW);
  private readonly volumes = new Ring(RANGE_WINDOW);
  private volumeSum = 0;
  private volumeSquares = 0;
  private readonly returns = new Ring(VOLATILITY_WINDOW);
  private returnSum = 0;
  private returnSquares = 0;
  private readonly pairs = new Ring(RETURN_WINDOW);
  private readonly pairBtc = new Ring(RETURN_WINDOW);
  private sumR = 0;
  private sumB = 0;
  private sumRB = 0;
  private sumBB = 0;
  private sumRR = 0;
  private readonly rsi = new Rsi(14);
  private readonly macd = new Macd();
  private readonly bollinger = new BollingerBands(20, 2);
  private readonly atr = new Atr(14);
  private readonly higherRsi = new Rsi(14);
  private readonly higherEma = new Ema(12);
  private higherClose: number | undefined;
  private higherReturn: number | undefined;
  /** The ATR after the last update (the triple barrier's unit). */
  lastAtr: number | undefined;

  constructor(private readonly timeframeMs: number) {}

  update(candle: Candle, btcReturn: number | null): Float64Array | null {
    const { close } = candle;
    const previous = this.closes.count > 0 ? this.closes.ago(0) : undefined;
    this.closes.push(close);
    const oneReturn = logReturn(previous, close);
    if (previous !== undefined) {
      const dropped = this.returns.push(oneReturn);
      this.returnSum += oneReturn - dropped;
      this.returnSquares += oneReturn * oneReturn - dropped * dropped;
      if (btcReturn !== null) {
        const r0 = this.pairs.full ? this.pairs.ago(this.pairs.size - 1) : 0;
        const b0 = this.pairBtc.full ? this.pairBtc.ago(this.pairBtc.size - 1) : 0;
        this.pairs.push(oneReturn);
        this.pairBtc.push(btcReturn);
        this.sumR += oneReturn - r0;
        this.sumB += btcReturn - b0;
        this.sumRB += oneReturn * btcReturn - r0 * b0;
        this.sumBB += btcReturn * btcReturn - b0 * b0;
        this.sumRR += oneReturn * oneReturn - r0 * r0;
      }
    }
    this.highs.push(candle.high);
    this.lows.push(candle.low);
    const droppedVolume = this.volumes.push(candle.volume);
    this.volumeSum += candle.volume - droppedVolume;
    this.volumeSquares += candle.volume * candle.volume - droppedVolume * droppedVolume;
    const rsi = this.rsi.update(close);
    const macd = this.macd.update(close);
    const bands = this.bollinger.update(close);
    this.lastAtr = this.atr.update(candle.high, candle.low, close);
    // A higher-timeframe candle closes with the last of its candles: only then are its values known.
    const higherMs = this.timeframeMs * HIGHER_TIMEFRAME_FACTOR;
    if ((candle.openTime + this.timeframeMs) % higherMs === 0) {
      if (this.higherClose !== undefined) this.higherReturn = math.log(close / this.higherClose);
      this.higherClose = close;
      this.higherRsi.update(close);
      this.higherEma.update(close);
    }
    if (
      !this.closes.full ||
      !this.returns.full ||
      !this.pairs.full ||
      rsi === undefined ||
      macd === undefined ||
      bands === undefined ||
      this.lastAtr === undefined ||
      this.higherReturn === undefined ||
      this.higherRsi.value === undefined ||
      this.higherEma.value === undefined
    )
      return null;
    const features = new Float64Array(FEATURE_COUNT);
    const back = (n: number) => math.log(close / this.closes.ago(n));
    features[0] = oneReturn;
    features[1] = back(4);
    features[2] = back(16);
    features[3] = back(96);
    const n = VOLATILITY_WINDOW;
    features[4] = math.sqrt(
      math.max(0, (this.returnSquares - (this.returnSum * this.returnSum) / n) / (n - 1)),
    );
    features[5] = rsi / 100;
    features[6] = macd.histogram / close;
    const width = bands.upper - bands.lower;
    features[7] = width > 0 ? (close - bands.lower) / width : 0.5;
    features[8] = this.lastAtr / close;
    const m = RANGE_WINDOW;
    const volumeMean = this.volumeSum / m;
    const volumeStd = math.sqrt(math.max(0, this.volumeSquares / m - volumeMean * volumeMean));
    features[9] = volumeStd > 0 ? (candle.volume - volumeMean) / volumeStd : 0;
    let high = -Infinity;
    let low = Infinity;
    for (let i = 0; i < m; i++) {
      high = math.max(high, this.highs.values[i]);
      low = math.min(low, this.lows.values[i]);
    }
    features[10] = high > low ? (close - low) / (high - low) : 0.5;
    const k = RETURN_WINDOW;
    const covariance = this.sumRB / k - (this.sumR / k) * (this.sumB / k);
    const btcVariance = this.sumBB / k - (this.sumB / k) ** 2;
    const ownVariance = this.sumRR / k - (this.sumR / k) ** 2;
    features[11] = btcVariance > 0 && ownVariance > 0 ? covariance / math.sqrt(btcVariance * ownVariance) : 0;
    features[12] = btcVariance > 0 ? covariance / btcVariance : 0;
    const hour = ((candle.openTime % DAY_MS) / DAY_MS) * 2 * math.PI;
    // 1970-01-01 was a Thursday: shift so that the circle starts on Monday.
    const weekday = (((candle.openTime + 3 * DAY_MS) % WEEK_MS) / WEEK_MS) * 2 * math.PI;
    features[13] = math.sin(hour);
    features[14] = math.cos(hour);
    features[15] = math.sin(weekday);
    features[16] = math.cos(weekday);
    features[17] = this.higherReturn;
    features[18] = this.higherRsi.value / 100;
    features[19] = math.log(this.higherClose! / this.higherEma.value);
    return features;
  }
}

/** The one-candle log return of a close after another (0 at the first). */
export function logReturn(previous: number | undefined, close: number): number {
  return previous && previous > 0 && close > 0 ? math.log(close / previous) : 0;
}
