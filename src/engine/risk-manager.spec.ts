import { breach, readRisk, rOf } from './risk-manager';

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
    const limits = { dailyLossLimitR: 3, maxConsecutiveLosses: 4 };
    expect(breach({ dailyR: -2.99, consecutiveLosses: 3, maxDrawdownR: 3 }, limits)).toBeNull();
    expect(breach({ dailyR: -3, consecutiveLosses: 1, maxDrawdownR: 3 }, limits)?.code).toBe(
      'DAILY_LOSS_LIMIT',
    );
    expect(breach({ dailyR: -1, consecutiveLosses: 4, maxDrawdownR: 1 }, limits)?.code).toBe(
      'CONSECUTIVE_LOSSES',
    );
  });
});
