import type { Candle } from '../market/market-types';
import { DOWN, FLAT, tripleBarrierLabel, UP } from './triple-barrier';

const candle = (high: number, low: number, close = (high + low) / 2): Candle => ({
  openTime: 0,
  open: close,
  high,
  low,
  close,
  volume: 1,
});

// Entry at 100 with an ATR of 1 and k 2: barriers at 102 and 98, three candles at most.
const settings = { kUp: 2, kDown: 2, horizon: 3 };
const entry = candle(100, 100, 100);

describe('tripleBarrierLabel', () => {
  it('is the first barrier touched', () => {
    expect(
      tripleBarrierLabel([entry, candle(101, 99.5), candle(102, 100)], 0, 1, { ...settings, horizon: 2 }),
    ).toBe(UP);
    expect(
      tripleBarrierLabel([entry, candle(101, 99), candle(101.5, 98), candle(103, 101)], 0, 1, settings),
    ).toBe(DOWN);
  });

  it('is flat when neither barrier is touched by the vertical one', () => {
    expect(
      tripleBarrierLabel([entry, candle(101, 99), candle(101.9, 98.1), candle(101, 99)], 0, 1, settings),
    ).toBe(FLAT);
  });

  it('counts a candle that reaches both as down (the stop is assumed first)', () => {
    expect(
      tripleBarrierLabel([entry, candle(103, 97), candle(101, 99), candle(101, 99)], 0, 1, settings),
    ).toBe(DOWN);
  });

  it('is not known while fewer than horizon candles follow', () => {
    expect(tripleBarrierLabel([entry, candle(101, 99), candle(101, 99)], 0, 1, settings)).toBeNull();
  });

  it('scales the barriers with k and the ATR', () => {
    const path = [entry, candle(102.5, 99.5), candle(103, 99), candle(101, 99)];
    expect(tripleBarrierLabel(path, 0, 1, settings)).toBe(UP);
    expect(tripleBarrierLabel(path, 0, 1, { kUp: 4, kDown: 2, horizon: 3 })).toBe(FLAT);
  });
});
