import type { Candle } from '../market-types';
import { Atr, BollingerBands, BollingerValue, Ema, Macd, MacdValue, Rsi, Sma } from './streaming';

export interface IndicatorSnapshot {
  sma20: number | null;
  ema20: number | null;
  rsi: number | null;
  macd: number | null;
  macdSignal: number | null;
  macdHistogram: number | null;
  bollingerUpper: number | null;
  bollingerMiddle: number | null;
  bollingerLower: number | null;
  atr: number | null;
}

/**
 * The indicators the API serves for one symbol and timeframe, updated once per closed candle. The
 * engine keeps one per symbol and timeframe; the API runs one over a range.
 */
export class IndicatorSet {
  readonly sma20 = new Sma(20);
  readonly ema20 = new Ema(20);
  readonly rsi = new Rsi(14);
  readonly macd = new Macd(12, 26, 9);
  readonly bollinger = new BollingerBands(20, 2);
  readonly atr = new Atr(14);

  update(candle: Candle): void {
    this.sma20.update(candle.close);
    this.ema20.update(candle.close);
    this.rsi.update(candle.close);
    this.macd.update(candle.close);
    this.bollinger.update(candle.close);
    this.atr.update(candle.high, candle.low, candle.close);
  }

  snapshot(): IndicatorSnapshot {
    const macd: MacdValue | undefined = this.macd.value;
    const bands: BollingerValue | undefined = this.bollinger.value;
    return {
      sma20: this.sma20.value ?? null,
      ema20: this.ema20.value ?? null,
      rsi: this.rsi.value ?? null,
      macd: macd?.macd ?? null,
      macdSignal: macd?.signal ?? null,
      macdHistogram: macd?.histogram ?? null,
      bollingerUpper: bands?.upper ?? null,
      bollingerMiddle: bands?.middle ?? null,
      bollingerLower: bands?.lower ?? null,
      atr: this.atr.value ?? null,
    };
  }
}

/** Indicator values for every candle of a series (null until an indicator has enough history). */
export function indicatorSeries(candles: readonly Candle[]): IndicatorSnapshot[] {
  const set = new IndicatorSet();
  return candles.map((candle) => {
    set.update(candle);
    return set.snapshot();
  });
}
