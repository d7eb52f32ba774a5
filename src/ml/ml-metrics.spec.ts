import { classificationMetrics } from './ml-metrics';

describe('classificationMetrics', () => {
  // Worked by hand. Realised: down flat up up down flat; predicted (0.6 on it, 0.2 on each other class):
  // down up up flat down flat. Confusion (rows realised): [2 0 0] [0 1 1] [0 1 1]; accuracy 4/6.
  // Precision down 2/2, flat 1/2, up 1/2; recall the same; F1 1, 0.5, 0.5; macro and weighted F1 2/3.
  // Log loss: the true class got 0.6 four times and 0.2 twice: -(4 ln 0.6 + 2 ln 0.2) / 6 = 0.877029...
  // Baseline always flat: right twice, 1/3; lift 1/3.
  const labels = [0, 1, 2, 2, 0, 1];
  const predicted = [0, 2, 2, 1, 0, 1];
  const probabilities = predicted.flatMap((k) => [0, 1, 2].map((c) => (c === k ? 0.6 : 0.2)));
  const metrics = classificationMetrics(labels, probabilities, [1, 1, 1, 1, 1, 1]);

  it('counts the confusion matrix, accuracy and per-class precision, recall and F1', () => {
    expect(metrics.confusionMatrix).toEqual([
      [2, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
    ]);
    expect(metrics.accuracy).toBeCloseTo(4 / 6, 12);
    expect(metrics.classes).toEqual({
      down: { precision: 1, recall: 1, f1: 1, support: 2 },
      flat: { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      up: { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
    });
    expect(metrics.macroF1).toBeCloseTo(2 / 3, 12);
    expect(metrics.f1Score).toBeCloseTo(2 / 3, 12);
  });

  it('computes log loss and the lift over the baseline', () => {
    expect(metrics.logLoss).toBeCloseTo(-(4 * Math.log(0.6) + 2 * Math.log(0.2)) / 6, 12);
    expect(metrics.logLoss).toBeCloseTo(0.8770297, 6);
    expect(metrics).toMatchObject({ baselineClass: 'flat', samples: 6 });
    expect(metrics.baselineAccuracy).toBeCloseTo(1 / 3, 12);
    expect(metrics.lift).toBeCloseTo(1 / 3, 12);
  });

  it('leaves precision null for a class never predicted and counts it 0 in macro F1', () => {
    const allDown = classificationMetrics([0, 1, 2], [1, 0, 0, 1, 0, 0, 1, 0, 0], [0, 0, 0]);
    expect(allDown.classes.flat).toEqual({ precision: null, recall: 0, f1: null, support: 1 });
    expect(allDown.macroF1).toBeCloseTo((0.5 + 0 + 0) / 3, 12);
    // A probability of 1 on the right class, 0 on a wrong one: clipped, finite.
    expect(Number.isFinite(allDown.logLoss)).toBe(true);
  });
});
