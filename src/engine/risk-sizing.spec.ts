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
  it('risks riskPerTrade of equity between entry and stop, rounded down to the step', () => {
    // 0.6 % of 10,000 = 60 USDT over a 2 USDT stop distance = 30 units.
    expect(sizeByRisk(base)).toEqual({ ok: true, amount: '30', notional: 3000, risk: 60 });
    // 60 / 7 = 8.571428... -> 8.571 at a 0.001 step.
    const odd = sizeByRisk({ ...base, stopLoss: 93 });
    expect(odd).toMatchObject({ ok: true, amount: '8.571' });
    expect(sizeByRisk({ ...base, entry: 100, stopLoss: 102 })).toMatchObject({ ok: true, amount: '30' });
  });

  it('never spends more than the free balance can pay with the fee', () => {
    // 30 units would cost 3,000; only 1,000 is free: 1,000 / (100 x 1.001) = 9.99000999 -> 9.99.
    expect(sizeByRisk({ ...base, available: 1000 })).toMatchObject({ ok: true, amount: '9.99' });
  });

  it('caps the position at maxNotional', () => {
    // A 0.5 USDT stop would want 120 units (12,000 USDT); one slot of three may hold 3,333.33.
    expect(sizeByRisk({ ...base, stopLoss: 99.5, maxNotional: 10_000 / 3 })).toMatchObject({
      ok: true,
      amount: '33.333',
    });
  });

  it('refuses below the minimum amount or value, and without a stop distance', () => {
    expect(sizeByRisk({ ...base, available: 0.5 })).toMatchObject({ ok: false });
    expect(sizeByRisk({ ...base, minNotional: 5000 })).toEqual({
      ok: false,
      reason: 'order value 3000.00 is below the minimum 5000',
    });
    expect(sizeByRisk({ ...base, stopLoss: 100 })).toEqual({
      ok: false,
      reason: 'no distance between entry and stop',
    });
    expect(sizeByRisk({ ...base, equity: 0 })).toEqual({ ok: false, reason: 'no equity' });
  });
});
