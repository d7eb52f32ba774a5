import { predictProbabilities } from './ml-inference';
import { DEFAULT_LEARNER_SETTINGS, tfProbabilities, trainClassifier } from './ml-learners';
import { seededPermutation } from './ml-dataset';

// A small separable problem: the class is the sign pattern of two of five features.
function problem(rows: number) {
  const features = new Float32Array(rows * 5);
  const labels = new Uint8Array(rows);
  const order = seededPermutation(rows * 5, 3);
  for (let i = 0; i < rows * 5; i++) features[i] = (order[i] / (rows * 5)) * 2 - 1;
  for (let r = 0; r < rows; r++) {
    const score = features[r * 5] + 0.5 * features[r * 5 + 2];
    labels[r] = score > 0.3 ? 2 : score < -0.3 ? 0 : 1;
  }
  return { features, labels };
}

describe('learners', () => {
  const { features, labels } = problem(600);
  const settings = { ...DEFAULT_LEARNER_SETTINGS.mlp, epochs: 4, batchSize: 64, learningRate: 0.02 };

  it.each(['logistic', 'mlp'] as const)(
    '%s: the plain forward pass gives TensorFlow.js’s own probabilities',
    async (type) => {
      const parameters = await trainClassifier(type, features, labels, 5, settings, () => undefined);
      expect(parameters.layers).toHaveLength(type === 'mlp' ? 3 : 1);
      const ours = predictProbabilities(parameters, features, 50);
      const theirs = tfProbabilities(parameters, features.slice(0, 250), 50);
      for (let i = 0; i < 150; i++) expect(ours[i]).toBeCloseTo(theirs[i], 5);
    },
  );

  it('learns a separable problem and trains the same model from the same data and seed', async () => {
    const epochs: number[] = [];
    const first = await trainClassifier(
      'logistic',
      features,
      labels,
      5,
      settings,
      (epoch) => void epochs.push(epoch),
    );
    const again = await trainClassifier('logistic', features, labels, 5, settings, () => undefined);
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(again.layers[0].weights).toEqual(first.layers[0].weights);
    const probabilities = predictProbabilities(first, features, 600);
    let correct = 0;
    for (let r = 0; r < 600; r++) {
      const row = [...probabilities.subarray(r * 3, r * 3 + 3)];
      if (row.indexOf(Math.max(...row)) === labels[r]) correct++;
    }
    const counts = [0, 1, 2].map((k) => labels.filter((label) => label === k).length);
    // Far above saying the most frequent class every time.
    expect(correct / 600).toBeGreaterThan(Math.max(...counts) / 600 + 0.3);
  });
});
