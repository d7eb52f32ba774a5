import { purgedSplits } from './walk-forward';

// 100 samples at times 0..99, each label known 5 later: windows of 20 (0-19, 20-39, ... 80-99).
const samples = Array.from({ length: 100 }, (_, time) => ({ time, labelEnd: time + 5 }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('purgedSplits', () => {
  it('walk-forward: each fold tests one window and trains only before it, labels that reach into it purged', () => {
    const splits = purgedSplits(samples, { folds: 4, embargoMs: 3, walkForward: true });
    expect(splits.map((split) => [split.testFrom, split.testTo])).toEqual([
      [20, 40],
      [40, 60],
      [60, 80],
      [80, 100],
    ]);
    // Samples 15-19 have labels that end in 20-24, inside the first test window: purged.
    expect(splits[0].train).toEqual(range(0, 14));
    expect(splits[0].test).toEqual(range(20, 39));
    expect(splits[3].train).toEqual(range(0, 74));
    expect(splits[3].test).toEqual(range(80, 99));
  });

  it('purged k-fold: trains on both sides, purges before the test window and embargoes after it', () => {
    const splits = purgedSplits(samples, { folds: 4, embargoMs: 3, walkForward: false });
    expect(splits).toHaveLength(5);
    // Test 20-39: 15-19 purged (labels into it), 40-42 embargoed.
    expect(splits[1].train).toEqual([...range(0, 14), ...range(43, 99)]);
    expect(splits[0].train).toEqual(range(23, 99));
  });

  it('never trains a fold on a sample whose label window overlaps its test window', () => {
    for (const walkForward of [true, false])
      for (const split of purgedSplits(samples, { folds: 4, embargoMs: 0, walkForward }))
        for (const index of split.train) {
          const { time, labelEnd } = samples[index];
          expect(labelEnd < split.testFrom || time >= split.testTo).toBe(true);
        }
  });
});
