import { atCandleClose, HeldPosition, levelReached, trailedStop } from './exit-policy';

const MINUTE = 60_000;
const long: HeldPosition = {
  side: 'long',
  entryTime: 0,
  entryPrice: 100,
  amount: 2,
  stopLoss: 95,
  takeProfit: 110,
  initialRisk: 10,
};
const rules = { maxHoldMinutes: 60, trailingStopR: 1 };

describe('exit policy', () => {
  it('finds the stop or target a price range reached, the stop first when both were', () => {
    expect(levelReached(long, 96, 109)).toBeNull();
    expect(levelReached(long, 95, 100)).toBe('stop_loss');
    expect(levelReached(long, 99, 110)).toBe('take_profit');
    expect(levelReached(long, 90, 120)).toBe('stop_loss');
    expect(levelReached({ ...long, stopLoss: null, takeProfit: null }, 1, 1000)).toBeNull();
    const short = { side: 'short' as const, stopLoss: 105, takeProfit: 90 };
    expect(levelReached(short, 95, 105)).toBe('stop_loss');
    expect(levelReached(short, 90, 100)).toBe('take_profit');
    expect(levelReached(short, 91, 104)).toBeNull();
  });

  it('closes on the time stop before the sell signal, at or after maxHoldMinutes', () => {
    expect(atCandleClose(long, { closeTime: 60 * MINUTE, close: 101, high: 101 }, true, rules)).toEqual({
      exit: 'time_stop',
    });
    expect(atCandleClose(long, { closeTime: 59 * MINUTE, close: 101, high: 101 }, true, rules)).toEqual({
      exit: 'signal',
    });
    // A short is not closed by a sell signal (spot bots are long only).
    expect(
      atCandleClose({ ...long, side: 'short' }, { closeTime: MINUTE, close: 101, high: 101 }, true, rules),
    ).toEqual({ exit: null, trailTo: null });
  });

  it('trails the stop once the close is trailingStopR risk units in profit, and only upwards', () => {
    // One risk unit is 10 / 2 = 5 per coin.
    expect(atCandleClose(long, { closeTime: MINUTE, close: 104.9, high: 104.9 }, false, rules)).toEqual({
      exit: null,
      trailTo: null,
    });
    expect(atCandleClose(long, { closeTime: MINUTE, close: 107, high: 107 }, false, rules)).toEqual({
      exit: null,
      trailTo: 102,
    });
    expect(trailedStop({ ...long, stopLoss: 103 }, 107, 1)).toBeNull();
    expect(trailedStop(long, 107, null)).toBeNull();
    expect(trailedStop({ ...long, initialRisk: 0 }, 107, 1)).toBeNull();
    expect(trailedStop(long, 103, 0.5)).toBe(100.5);
  });

  it('trails the candle’s high, and sells at the close when the close fell back through the trailed stop', () => {
    // The high of 109 puts the stop at 104; a close of 106 holds.
    expect(atCandleClose(long, { closeTime: MINUTE, close: 106, high: 109 }, false, rules)).toEqual({
      exit: null,
      trailTo: 104,
    });
    // A close of 103.5 is below where a stop following every tick would have been: it was hit.
    expect(atCandleClose(long, { closeTime: MINUTE, close: 103.5, high: 109 }, false, rules)).toEqual({
      exit: 'stop_loss',
    });
  });

  it('puts a stop trailed to about the entry where the round trip breaks even, once the market traded above', () => {
    // Half a unit (2.5) below a high of 102.6 is 100.1, which would lose 0.3 % of costs: 100.3 instead.
    expect(trailedStop(long, 102.6, 0.5, 0.003)).toBeCloseTo(100.3, 9);
    // Further up the trail is above break-even already.
    expect(trailedStop(long, 103, 0.5, 0.003)).toBe(100.5);
    // Not above the high: with costs of 3 % break-even (103) is beyond what the market traded.
    expect(trailedStop(long, 102.6, 0.5, 0.03)).toBeCloseTo(100.1, 9);
  });
});
