import { SimulatedMarket } from '../market/simulated-market';
import { SIMULATED_UNIVERSE } from '../market/simulated-universe';
import { aggregateCandles } from '../market/timeframes';
import { DEFAULT_LEARNER_SETTINGS, trainClassifier } from './ml-learners';
import { runTraining, TrainingRequest } from './ml-training-run';

const QUARTER = 900_000;
const DAY = 86_400_000;
const market = new SimulatedMarket(5, SIMULATED_UNIVERSE);
const start = Date.UTC(2026, 2, 2);
// Six pairs, 20 days of 15m candles: about 10,000 samples.
const candles = new Map(
  SIMULATED_UNIVERSE.slice(0, 6).map((pair, index) => [
    pair.symbol,
    aggregateCandles(market.candles(index, start, start + 20 * DAY), 60_000, QUARTER),
  ]),
);
const request: TrainingRequest = {
  type: 'logistic',
  timeframeMs: QUARTER,
  barrier: { kUp: 2, kDown: 2, horizon: 16 },
  learner: { ...DEFAULT_LEARNER_SETTINGS.logistic, epochs: 3 },
  folds: 4,
};
const train =
  (type: TrainingRequest['type']) =>
  (
    features: Float32Array,
    labels: Uint8Array,
    width: number,
    onEpoch: (epoch: number) => Promise<void> | void,
  ) =>
    trainClassifier(type, features, labels, width, request.learner, onEpoch);

describe('runTraining', () => {
  it('evaluates walk-forward over four test windows and reports the baseline beside the model', async () => {
    const shares: number[] = [];
    const outcome = await runTraining(
      candles,
      request,
      train('logistic'),
      async (share) => void shares.push(share),
    );
    expect(outcome.folds).toHaveLength(4);
    expect(outcome.metrics.samples).toBe(outcome.folds.reduce((sum, fold) => sum + fold.testSamples, 0));
    // Each fold trains on more than the one before (it also learns from the earlier test windows).
    const trained = outcome.folds.map((fold) => fold.trainSamples);
    expect(trained).toEqual([...trained].sort((a, b) => a - b));
    expect(outcome.samples).toBeGreaterThan(9000);
    expect(Object.values(outcome.labelShares).reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12);
    expect(outcome.metrics.lift).toBeCloseTo(outcome.metrics.accuracy - outcome.metrics.baselineAccuracy, 12);
    expect(shares.at(-1)).toBeCloseTo(1, 12);
  });

  it('guards against leakage: a model trained on shuffled labels does not beat the baseline by more than noise', async () => {
    const outcome = await runTraining(
      candles,
      { ...request, shuffleLabels: true },
      train('logistic'),
      async () => undefined,
    );
    // Three standard errors of an accuracy near 0.4 over the ~8,000 test samples is about 0.016.
    expect(outcome.metrics.lift).toBeLessThan(0.02);
    expect(outcome.metrics.samples).toBeGreaterThan(7000);
  });
});
