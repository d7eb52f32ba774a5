import type { Candle } from '../market/market-types';
import {
  alignment,
  energyStateOf,
  fibonacciLevels,
  harmonicStateOf,
  latestSwing,
  marketEnergyOf,
  placeInSwing,
  positionBalance,
  positionEnergyOf,
} from './fibonacci-dashboard-math';

const candle = (
  openTime: number,
  low: number,
  high: number,
  close = (low + high) / 2,
  volume = 10,
): Candle => ({
  openTime,
  open: close,
  high,
  low,
  close,
  volume,
});

describe("seed 000's dashboard numbers", () => {
  it('finds the swing of the candles and its direction, and prices its levels', () => {
    const up = latestSwing([
      candle(0, 100, 110),
      candle(1, 90, 105),
      candle(2, 120, 200),
      candle(3, 150, 180),
    ]);
    expect(up).toEqual({ high: 200, low: 90, highAt: 2, lowAt: 1, direction: 'up' });
    // Range 110: retracements down from 200, extensions up from 90.
    expect(fibonacciLevels(up!)).toEqual({
      '0': 200,
      '0.236': 200 - 0.236 * 110,
      '0.382': 200 - 0.382 * 110,
      '0.5': 145,
      '0.618': 200 - 0.618 * 110,
      '0.786': 200 - 0.786 * 110,
      '1': 90,
      '1.618': 90 + 1.618 * 110,
      '2.618': 90 + 2.618 * 110,
      '4.236': 90 + 4.236 * 110,
    });
    const down = latestSwing([candle(0, 150, 200), candle(1, 90, 120)]);
    expect(down?.direction).toBe('down');
    expect(fibonacciLevels(down!)['0.5']).toBe(145);
    expect(fibonacciLevels(down!)['1.618']).toBeCloseTo(200 - 1.618 * 110, 10);
    expect(latestSwing([])).toBeNull();
    expect(latestSwing([candle(0, 5, 5)])).toBeNull();
  });

  it('places a price in the swing: retracement, nearest level, the levels around it', () => {
    const swing = { high: 200, low: 100, highAt: 2, lowAt: 1, direction: 'up' as const };
    expect(placeInSwing(160, swing)).toEqual({
      retracement: 0.4,
      nearestLevel: 0.382,
      between: [0.382, 0.5],
    });
    expect(placeInSwing(200, swing)).toEqual({ retracement: 0, nearestLevel: 0, between: [0, 0] });
    expect(placeInSwing(90, swing).between).toEqual([1, null]);
  });

  it('scores alignment, balance and state', () => {
    expect(alignment(0.618, 0.618)).toBe(1);
    expect(alignment(0.309, 0.618)).toBeCloseTo(0.5, 12);
    expect(alignment(5, 0.618)).toBe(0);
    expect(alignment(null, 1)).toBeNull();
    expect(positionBalance(1000, 618)).toMatchObject({ currentRatio: 0.618, balanceScore: 1 });
    expect(positionBalance(1000, 0)).toMatchObject({ currentRatio: 0, balanceScore: 0 });
    expect(harmonicStateOf(0.85)).toBe('Golden Harmony');
    expect(harmonicStateOf(0.6)).toBe('Balanced Flow');
    expect(harmonicStateOf(0.1)).toBe('Dissonance');
    expect(energyStateOf(80)).toBe('High Resonance');
    expect(energyStateOf(50)).toBe('Neutral');
  });

  it("energy: momentum, volume surge and volatility of 25 hourly candles; positions' PnL over cost", () => {
    // Flat price (momentum 50), the last hour at twice the volume (surge 2: 66.67), ranges of 1 % (50).
    const hours = Array.from({ length: 25 }, (_, hour) =>
      candle(hour, 99.5, 100.5, 100, hour === 24 ? 20 : 10),
    );
    expect(marketEnergyOf(hours)).toBeCloseTo(0.4 * 50 + 0.3 * (200 / 3) + 0.3 * 50, 10);
    expect(marketEnergyOf(hours.slice(1))).toBeNull();
    expect(positionEnergyOf(0, 0)).toBe(50);
    expect(positionEnergyOf(5, 100)).toBeCloseTo(50 + 50 * Math.tanh(1), 12);
  });
});
