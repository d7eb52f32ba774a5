import type { ClosedInOrder, StreakScan } from '../trading/trade-statistics.repository';

/**
 * Carries a streak scan on over trades that closed after its last one, in closing order: the same
 * numbers the database works out over the whole ledger (a flat trade breaks a run; cumulative R falls
 * from a peak that starts at 0).
 */
export function continueStreakScan(scan: StreakScan, closedAfter: readonly ClosedInOrder[]): StreakScan {
  const next = { ...scan };
  for (const trade of closedAfter) {
    next.runLength = trade.sign === next.runSign && next.count > 0 ? next.runLength + 1 : 1;
    next.runSign = trade.sign;
    if (trade.sign > 0) next.wins = Math.max(next.wins, next.runLength);
    if (trade.sign < 0) next.losses = Math.max(next.losses, next.runLength);
    next.cumulativeR += trade.r;
    next.peakR = Math.max(next.peakR, next.cumulativeR);
    next.maxDrawdownR = Math.max(next.maxDrawdownR, next.peakR - next.cumulativeR);
    next.count += 1;
    next.pnl += trade.pnl;
    next.last = { at: trade.at, id: trade.id };
  }
  return next;
}
