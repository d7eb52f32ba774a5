import { ML_CLASSES, type MlClass } from './triple-barrier';

const CLASSES = ML_CLASSES.length;
/** Probabilities are clipped to this for log loss (scikit-learn's default eps for float64 is far smaller; a
 *  model that says 0 for the class that came then costs ln(1e15) ≈ 34.5 instead of infinity). */
const LOG_LOSS_EPSILON = 1e-15;

export interface ClassMetrics {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
}

export interface ClassificationMetrics {
  samples: number;
  accuracy: number;
  /** Per class. */
  classes: Record<MlClass, ClassMetrics>;
  /** Weighted by support, as scikit-learn's `average="weighted"`. */
  precision: number;
  recall: number;
  f1Score: number;
  macroF1: number;
  logLoss: number;
  /** rows: the realised class, columns: the predicted one (down, flat, up). */
  confusionMatrix: number[][];
  /** The baseline's accuracy (the majority class of each fold's training labels), and its most said class. */
  baselineAccuracy: number;
  baselineClass: string;
  /** accuracy − baseline accuracy. */
  lift: number;
}

/** The class with the highest probability (the first on a tie). */
export function argmax(probabilities: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
  return best;
}

/**
 * Classification metrics of predicted probabilities against realised labels, next to a baseline's
 * predictions of the same samples (the majority class of the training labels: what a model that learned
 * nothing would say).
 */
export function classificationMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  baselinePredictions: ArrayLike<number>,
): ClassificationMetrics {
  const n = labels.length;
  const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: CLASSES }, (_, k) => probabilities[i * CLASSES + k]);
    confusion[labels[i]][argmax(row)]++;
    logLoss -= Math.log(Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, row[labels[i]])));
  }
  const baselineCounts = new Array<number>(CLASSES).fill(0);
  let baselineCorrect = 0;
  for (let i = 0; i < n; i++) {
    baselineCounts[baselinePredictions[i]]++;
    if (baselinePredictions[i] === labels[i]) baselineCorrect++;
  }
  const correct = confusion.reduce((sum, row, k) => sum + row[k], 0);
  const classes = {} as Record<MlClass, ClassMetrics>;
  let weighted = { precision: 0, recall: 0, f1: 0 };
  let macroF1 = 0;
  for (let k = 0; k < CLASSES; k++) {
    const support = confusion[k].reduce((sum, value) => sum + value, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[k], 0);
    const precision = predicted > 0 ? confusion[k][k] / predicted : null;
    const recall = support > 0 ? confusion[k][k] / support : null;
    const f1 =
      precision === null || recall === null
        ? null
        : precision + recall > 0
          ? (2 * precision * recall) / (precision + recall)
          : 0;
    classes[ML_CLASSES[k]] = { precision, recall, f1, support };
    // A class never predicted counts 0 (scikit-learn's zero_division=0).
    macroF1 += (f1 ?? 0) / CLASSES;
    weighted = {
      precision: weighted.precision + ((precision ?? 0) * support) / (n || 1),
      recall: weighted.recall + ((recall ?? 0) * support) / (n || 1),
      f1: weighted.f1 + ((f1 ?? 0) * support) / (n || 1),
    };
  }
  const accuracy = n ? correct / n : 0;
  const baselineAccuracy = n ? baselineCorrect / n : 0;
  return {
    samples: n,
    accuracy,
    classes,
    precision: weighted.precision,
    recall: weighted.recall,
    f1Score: weighted.f1,
    macroF1,
    logLoss: n ? logLoss / n : 0,
    confusionMatrix: confusion,
    baselineAccuracy,
    baselineClass: ML_CLASSES[argmax(baselineCounts)],
    lift: accuracy - baselineAccuracy,
  };
}
