import type { ClosedInOrder, StreakScan } from '../trading/trade-statistics.repository';
import { continueStreakScan } from './streak-scan';

const EMPTY: StreakScan = {
  wins: 0,
  losses: 0,
  maxDrawdownR: 0,
  peakR: 0,
  cumulativeR: 0,
  runSign: 0,
  runLength: 0,
  count: 0,
  pnl: 0,
  last: null,
};

const trade = (index: number, r: number): ClosedInOrder => ({
  sign: Math.sign(r),
  r,
  pnl: r * 10,
  at: `2026-01-0${1 + Math.floor(index / 4)} 00:0${index % 4}:00+00`,
  id: `trade-${index}`,
});

// Worked by hand: R +1 +2 -1 -1 -2 0 +1 -0.5; cumulative R 1 3 2 1 -1 -1 0 -0.5, its peak 3 from the
// second trade on, the deepest fall 3 - (-1) = 4; runs of wins 2, 1; of losses 3, 1 (the flat trade and
// the win break them); the scan ends on a run of one loss.
const LEDGER = [1, 2, -1, -1, -2, 0, 1, -0.5].map((r, index) => trade(index, r));
const WHOLE: StreakScan = {
  wins: 2,
  losses: 3,
  maxDrawdownR: 4,
  peakR: 3,
  cumulativeR: -0.5,
  runSign: -1,
  runLength: 1,
  count: 8,
  pnl: -5,
  last: { at: LEDGER[7].at, id: 'trade-7' },
};

describe('continueStreakScan', () => {
  it('scans a ledger from nothing to the hand-worked runs, R drawdown and end state', () => {
    expect(continueStreakScan(EMPTY, LEDGER)).toEqual(WHOLE);
  });

  it.each([1, 2, 3, 4, 5, 6, 7])('gives the same numbers carried on after the first %i trades', (split) => {
    const first = continueStreakScan(EMPTY, LEDGER.slice(0, split));
    expect(continueStreakScan(first, LEDGER.slice(split))).toEqual(WHOLE);
  });

  it('a flat trade breaks a run of wins, and a new run of the same sign starts at one', () => {
    const scan = continueStreakScan(EMPTY, [trade(0, 1), trade(1, 0), trade(2, 1)]);
    expect(scan).toMatchObject({ wins: 1, losses: 0, runSign: 1, runLength: 1, count: 3 });
  });

  it('does not change the scan it carries on', () => {
    const first = continueStreakScan(EMPTY, LEDGER.slice(0, 4));
    const copy = structuredClone(first);
    continueStreakScan(first, LEDGER.slice(4));
    expect(first).toEqual(copy);
  });
});
