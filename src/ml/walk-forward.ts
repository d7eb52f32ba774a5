/** A sample's place in time: when its features were known and when its label was (the barrier touched). */
export interface SampleSpan {
  time: number;
  labelEnd: number;
}

export interface SplitSettings {
  /** Test windows; the span of the samples' times is cut into folds + 1 equal windows. */
  folds: number;
  /** Time after a test window whose samples do not train its model. */
  embargoMs: number;
  /**
   * Walk-forward: a fold trains only on samples before its test window (the first window only trains).
   * Otherwise (purged k-fold) it trains on both sides, and the embargo keeps the samples just after the
   * test window out, whose features (96-candle returns, say) were computed over its prices.
   */
  walkForward: boolean;
}

export interface Split {
  train: number[];
  test: number[];
  testFrom: number;
  testTo: number;
}

/**
 * Purged, embargoed splits (López de Prado, AFML 7.4): fold k tests on window k; a training sample whose
 * label window [time, labelEnd] overlaps the test window is purged (its label was made of the test
 * window's prices), and those within `embargoMs` after the test window are embargoed. In walk-forward
 * mode nothing after a test window trains its model, which makes the embargo hold by construction.
 */
export function purgedSplits(samples: readonly SampleSpan[], settings: SplitSettings): Split[] {
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
  for (let k = settings.walkForward ? 1 : 0; k <= settings.folds; k++) {
    const testFrom = windowStart(k);
    const testTo = k === settings.folds ? last + 1 : windowStart(k + 1);
    const train: number[] = [];
    const test: number[] = [];
    for (const [index, sample] of samples.entries()) {
      if (sample.time >= testFrom && sample.time < testTo) test.push(index);
      else if (settings.walkForward && sample.time >= testTo) continue;
      else if (sample.time <= testTo && sample.labelEnd >= testFrom) continue;
      else if (sample.time >= testTo && sample.time < testTo + settings.embargoMs) continue;
      else train.push(index);
    }
    if (train.length > 0 && test.length > 0) splits.push({ train, test, testFrom, testTo });
  }
  return splits;
}
