import { sizeByRisk, SizingInput } from './risk-sizing';

const base: SizingInput = {
  equity: 10_000,
  riskPerTrade: 0.006,
  entry: 100,
  stopLoss: 98,
  available: 10_000,
  feeRate: 0.001,
  stepSize: '0.001',
  minAmount: 0.001,
  minNotional: 5,
};

describe('sizing by risk', () => {
  it('risks riskPerTrade of equity at the stop, fees in and out included, rounded down to the step', () => {
    // 0.6 % of 10,000 = 60 USDT; a unit loses 2 USDT to the stop and 100 x 2 x 0.1 % in fees: 2.2 USDT.
    // 60 / 2.2 = 27.2727... -> 27.272 at a 0.001 step.
    const sized = sizeByRisk(base);
    expect(sized).toMatchObject({ ok: true, amount: '27.272', sizedBy: 'risk' });
    expect(sized.ok && sized.notional).toBeCloseTo(2727.2, 9);
    expect(sized.ok && sized.risk).toBeCloseTo(27.272 * 2.2, 9);
    expect(sized.ok && sized.riskShare).toBeCloseTo((27.272 * 2.2) / 10_000, 12);
    // 60 / 7.2 = 8.3333... -> 8.333.
    expect(sizeByRisk({ ...base, stopLoss: 93 })).toMatchObject({ ok: true, amount: '8.333' });
    expect(sizeByRisk({ ...base, entry: 100, stopLoss: 102 })).toMatchObject({ ok: true, amount: '27.272' });
  });

  it('counts the spread the exit sells into as a cost of the stop', () => {
    // 2 + 100 x (0.2 % fees + 0.3 % spread) = 2.5 USDT a unit: 60 / 2.5 = 24 units, 0.6 % at risk.
    const sized = sizeByRisk({ ...base, spread: 0.003 });
    expect(sized).toMatchObject({ ok: true, amount: '24', sizedBy: 'risk' });
    expect(sized.ok && sized.riskShare).toBeCloseTo(0.006, 12);
  });

  it('never spends more than the free balance can pay with the fee', () => {
    // 30 units would cost 3,000; only 1,000 is free: 1,000 / (100 x 1.001) = 9.99000999 -> 9.99.
    expect(sizeByRisk({ ...base, available: 1000 })).toMatchObject({
      ok: true,
      amount: '9.99',
      sizedBy: 'cash',
    });
  });

  it('caps the position at maxNotional', () => {
    // A 0.5 USDT stop (0.7 with fees) would want 85.7 units (8,571 USDT); one slot of three may hold
    // 3,333.33: the slot bound it, and a stop-out loses 33.333 x 0.7 = 0.23 % of equity, not 0.6 %.
    const capped = sizeByRisk({ ...base, stopLoss: 99.5, maxNotional: 10_000 / 3 });
    expect(capped).toMatchObject({ ok: true, amount: '33.333', sizedBy: 'slot' });
    expect(capped.ok && capped.riskShare).toBeCloseTo((33.333 * 0.7) / 10_000, 12);
  });

  it('refuses below the minimum amount or value, and without a stop distance', () => {
    expect(sizeByRisk({ ...base, available: 0.5 })).toMatchObject({ ok: false });
    expect(sizeByRisk({ ...base, minNotional: 5000 })).toEqual({
      ok: false,
      reason: 'order value 2727.20 is below the minimum 5000',
    });
    expect(sizeByRisk({ ...base, stopLoss: 100 })).toEqual({
      ok: false,
      reason: 'no distance between entry and stop',
    });
    expect(sizeByRisk({ ...base, equity: 0 })).toEqual({ ok: false, reason: 'no equity' });
  });
});
