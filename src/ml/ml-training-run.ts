import { buildDataset, Dataset, pickRows, seededPermutation } from './ml-dataset';
import { argmax, ClassificationMetrics, classificationMetrics } from './ml-metrics';
import { ModelParameters, ModelType, predictProbabilities } from './ml-inference';
import type { LearnerSettings } from './ml-inference';
import { ML_CLASSES, type BarrierSettings } from './triple-barrier';
import { purgedSplits } from './walk-forward';
import type { Candle } from '../market/market-types';

/** Trains one model on rows (the learner, in its worker thread); reports each epoch done. */
export type Trainer = (
  features: Float32Array,
  labels: Uint8Array,
  width: number,
  onEpoch: (epoch: number) => Promise<void> | void,
) => Promise<ModelParameters>;

export interface TrainingRequest {
  type: ModelType;
  timeframeMs: number;
  barrier: BarrierSettings;
  learner: LearnerSettings;
  folds: number;
  /** Shuffles the labels before training (the leakage check: such a model must not beat the baseline). */
  shuffleLabels?: boolean;
}

export interface FoldResult {
  testFrom: string;
  testTo: string;
  trainSamples: number;
  testSamples: number;
  accuracy: number;
  baselineAccuracy: number;
}

export interface TrainingOutcome {
  parameters: ModelParameters;
  /** Over every walk-forward test window together. */
  metrics: ClassificationMetrics;
  folds: FoldResult[];
  samples: number;
  /** Share of each label in all samples (down, flat, up). */
  labelShares: Record<string, number>;
  dataFrom: string;
  dataTo: string;
}

/**
 * The whole of a retrain: the dataset from the candles, purged and embargoed walk-forward evaluation
 * (each fold's model trained only on what came before its test window; the baseline there is the class
 * most frequent in that fold's training labels), then the model to deploy, trained on every sample.
 * Progress goes from 0 to 1 over the fits.
 */
export async function runTraining(
  candlesBySymbol: ReadonlyMap<string, readonly Candle[]>,
  request: TrainingRequest,
  train: Trainer,
  progress: (share: number) => Promise<void>,
): Promise<TrainingOutcome> {
  const dataset = buildDataset(candlesBySymbol, request.timeframeMs, request.barrier);
  if (request.shuffleLabels) shuffleInPlace(dataset.labels, request.learner.seed);
  const samples = dataset.labels.length;
  if (samples < 100)
    throw new Error(`only ${samples} labelled samples in the data (at least 100 are needed)`);
  const spans = Array.from({ length: samples }, (_, i) => ({
    time: dataset.times[i],
    labelEnd: dataset.labelEnds[i],
  }));
  const embargoMs = request.barrier.horizon * request.timeframeMs;
  const splits = purgedSplits(spans, { folds: request.folds, embargoMs, walkForward: true });
  if (splits.length === 0) throw new Error('too little data for one walk-forward test window');
  const fits = splits.length + 1;
  let fit = 0;
  const onEpoch = (epoch: number) => progress((fit + epoch / request.learner.epochs) / fits);
  const testLabels: number[] = [];
  const testProbabilities: number[] = [];
  const baselinePredictions: number[] = [];
  const folds: FoldResult[] = [];
  for (const split of splits) {
    const training = pickRows(dataset, split.train);
    const parameters = await train(training.features, training.labels, dataset.width, onEpoch);
    const test = pickRows(dataset, split.test);
    const probabilities = predictProbabilities(parameters, test.features, test.labels.length);
    const baseline = majority(training.labels);
    let correct = 0;
    let baselineCorrect = 0;
    for (let i = 0; i < test.labels.length; i++) {
      const predicted = argmax(probabilities.subarray(i * ML_CLASSES.length, (i + 1) * ML_CLASSES.length));
      if (predicted === test.labels[i]) correct++;
      if (baseline === test.labels[i]) baselineCorrect++;
      testLabels.push(test.labels[i]);
      baselinePredictions.push(baseline);
    }
    for (const probability of probabilities) testProbabilities.push(probability);
    folds.push({
      testFrom: new Date(split.testFrom).toISOString(),
      testTo: new Date(split.testTo).toISOString(),
      trainSamples: split.train.length,
      testSamples: split.test.length,
      accuracy: correct / test.labels.length,
      baselineAccuracy: baselineCorrect / test.labels.length,
    });
    fit++;
  }
  const parameters = await train(dataset.features, dataset.labels, dataset.width, onEpoch);
  const counts = new Array<number>(ML_CLASSES.length).fill(0);
  for (const label of dataset.labels) counts[label]++;
  return {
    parameters,
    metrics: classificationMetrics(testLabels, testProbabilities, baselinePredictions),
    folds,
    samples,
    labelShares: Object.fromEntries(ML_CLASSES.map((name, k) => [name, counts[k] / samples])),
    dataFrom: new Date(dataset.times.reduce((low, time) => Math.min(low, time), Infinity)).toISOString(),
    dataTo: new Date(dataset.labelEnds.reduce((high, time) => Math.max(high, time), -Infinity)).toISOString(),
  };
}

function majority(labels: Uint8Array): number {
  const counts = new Array<number>(ML_CLASSES.length).fill(0);
  for (const label of labels) counts[label]++;
  return argmax(counts);
}

/** The labels in a seeded random order (the leakage check's data). */
function shuffleInPlace(labels: Uint8Array, seed: number): void {
  const order = seededPermutation(labels.length, seed);
  const original = labels.slice();
  for (let i = 0; i < labels.length; i++) labels[i] = original[order[i]];
}

export type { Dataset };
