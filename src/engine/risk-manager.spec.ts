import { breach, readRisk, rOf, withRiskCeilings } from './risk-manager';

const trade = (pnl: string, risk: string | null = '10') => ({
  realizedPnl: pnl,
  initialRisk: risk,
  closedAt: new Date(),
});

describe('risk manager', () => {
  it('measures R, the day in R, losses in a row and the drawdown of the R curve', () => {
    expect(rOf(trade('-15'))).toBe(-1.5);
    expect(rOf(trade('20', null))).toBe(0);
    // +2, -1, -1.5, +0.5, -1, -1 -> sum -2; peak 2, trough -2 -> drawdown 4; two losses in a row.
    const reading = readRisk(['20', '-10', '-15', '5', '-10', '-10'].map((pnl) => trade(pnl)));
    expect(reading).toEqual({ dailyR: -2, consecutiveLosses: 2, maxDrawdownR: 4 });
    expect(readRisk([])).toEqual({ dailyR: 0, consecutiveLosses: 0, maxDrawdownR: 0 });
  });

  it('pauses on a day losing the limit or on too many losses in a row, not before', () => {
    const limits = { dailyLossLimitR: 3, maxConsecutiveLosses: 4, streakPauseMinutes: 240 };
    const now = Date.parse('2026-11-20T17:45:00Z');
    expect(breach({ dailyR: -2.99, consecutiveLosses: 3, maxDrawdownR: 3 }, limits, now)).toBeNull();
    expect(breach({ dailyR: -3, consecutiveLosses: 1, maxDrawdownR: 3 }, limits, now)?.code).toBe(
      'DAILY_LOSS_LIMIT',
    );
    expect(breach({ dailyR: -1, consecutiveLosses: 4, maxDrawdownR: 1 }, limits, now)?.code).toBe(
      'CONSECUTIVE_LOSSES',
    );
  });

  it('lifts a daily-loss pause at the next UTC day and a streak pause after streakPauseMinutes', () => {
    const limits = { dailyLossLimitR: 3, maxConsecutiveLosses: 4, streakPauseMinutes: 90 };
    const now = Date.parse('2026-11-20T23:45:00Z');
    const daily = breach({ dailyR: -3.5, consecutiveLosses: 1, maxDrawdownR: 3.5 }, limits, now);
    expect(daily?.until.toISOString()).toBe('2026-11-21T00:00:00.000Z');
    const streak = breach({ dailyR: -1, consecutiveLosses: 4, maxDrawdownR: 1 }, limits, now);
    expect(streak?.until.toISOString()).toBe('2026-11-21T01:15:00.000Z');
  });

  it('counts a losing streak across midnight: the day resets, the streak does not', () => {
    const yesterday = ['-10', '-10', '-10'].map((pnl) => trade(pnl));
    const today = [trade('-10')];
    const reading = readRisk(today, [trade('10'), ...yesterday, ...today]);
    expect(reading).toEqual({ dailyR: -1, consecutiveLosses: 4, maxDrawdownR: 1 });
  });
});

describe("the operator's risk ceilings (runtime settings)", () => {
  const preset = { dailyLossLimitR: 3, maxConsecutiveLosses: 4, streakPauseMinutes: 60 };

  it('lower a preset limit above them and leave one below them', () => {
    expect(withRiskCeilings(preset, { dailyLossLimitR: 2, maxConsecutiveLosses: 10 })).toEqual({
      dailyLossLimitR: 2,
      maxConsecutiveLosses: 4,
      streakPauseMinutes: 60,
    });
  });

  it('change nothing when unset', () => {
    expect(withRiskCeilings(preset, { dailyLossLimitR: null, maxConsecutiveLosses: null })).toEqual(preset);
  });
});
