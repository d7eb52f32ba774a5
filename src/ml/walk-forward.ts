/** A sample's place in time: when its features were known and when its label was (the barrier touched). */
export interface SampleSpan {
  time: number;
  labelEnd: number;
}

export interface WalkForwardSettings {
  /** Test windows; the data is cut into folds + 1 equal spans of time and the first only trains. */
  folds: number;
  /** Time after each test window whose samples no later training uses. */
  embargoMs: number;
}

export interface Split {
  train: number[];
  test: number[];
  testFrom: number;
  testTo: number;
}

/**
 * Purged, embargoed walk-forward splits (AFML 7.4): the span of the samples' times is cut into
 * `folds + 1` windows; fold k tests on window k and trains only on samples before it whose label was
 * known before the test window opened (purged: a label window that overlaps the test window would leak
 * its prices), leaving out those within `embargoMs` after an earlier test window (embargoed: features
 * computed over the test window's prices, such as 96-candle returns, would carry it into training).
 */
export function purgedWalkForwardSplits(
  samples: readonly SampleSpan[],
  settings: WalkForwardSettings,
): Split[] {
  if (samples.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const sample of samples) {
    first = Math.min(first, sample.time);
    last = Math.max(last, sample.time);
  }
  const width = (last - first + 1) / (settings.folds + 1);
  const windowStart = (k: number) => first + Math.round(k * width);
  const splits: Split[] = [];
  for (let k = 1; k <= settings.folds; k++) {
    const testFrom = windowStart(k);
    const testTo = windowStart(k + 1);
    const train: number[] = [];
    const test: number[] = [];
    for (const [index, sample] of samples.entries()) {
      if (sample.time >= testFrom && sample.time < testTo) test.push(index);
      else if (sample.labelEnd < testFrom && !embargoed(sample.time, k, windowStart, settings.embargoMs))
        train.push(index);
    }
    if (train.length > 0 && test.length > 0) splits.push({ train, test, testFrom, testTo });
  }
  return splits;
}

/** Whether a time falls in the embargo after one of the test windows before window k. */
function embargoed(time: number, k: number, windowStart: (k: number) => number, embargoMs: number): boolean {
  for (let earlier = 1; earlier < k; earlier++) {
    const end = windowStart(earlier + 1);
    if (time >= end && time < end + embargoMs) return true;
  }
  return false;
}
