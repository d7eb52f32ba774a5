import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as layers from '@tensorflow/tfjs-layers';
import { seededPermutation } from './ml-dataset';
import type { DenseLayer, LearnerSettings, ModelParameters, ModelType } from './ml-inference';

export { DEFAULT_LEARNER_SETTINGS, type LearnerSettings } from './ml-inference';
import { ML_CLASSES } from './triple-barrier';

let backendReady: Promise<void> | undefined;

/**
 * The WebAssembly backend (its .wasm files ship in the package), or the pure JavaScript one where
 * WebAssembly cannot start; training runs in a worker thread either way.
 */
export function readyBackend(): Promise<void> {
  backendReady ??= (async () => {
    const wasm = await tf.setBackend('wasm').catch(() => false);
    if (!wasm) await tf.setBackend('cpu');
    await tf.ready();
  })();
  return backendReady;
}

export function backendName(): string {
  return tf.getBackend();
}

/**
 * Trains a classifier of the triple-barrier classes on `rows` standardised feature vectors: `logistic`
 * is multinomial logistic regression (one softmax layer), `mlp` adds ReLU hidden layers. The samples
 * are shuffled by a seeded permutation and the weights start from seeded initialisers, so the same data
 * and settings train the same model. Returns the parameters the plain forward pass reads.
 */
export async function trainClassifier(
  type: ModelType,
  features: Float32Array,
  labels: Uint8Array,
  width: number,
  settings: LearnerSettings,
  onEpoch: (epoch: number) => Promise<void> | void,
): Promise<ModelParameters> {
  await readyBackend();
  const rows = labels.length;
  const { mean, std } = standardisation(features, rows, width);
  const order = seededPermutation(rows, settings.seed);
  const x = new Float32Array(rows * width);
  const y = new Float32Array(rows * ML_CLASSES.length);
  for (let r = 0; r < rows; r++) {
    const source = order[r];
    for (let j = 0; j < width; j++) x[r * width + j] = (features[source * width + j] - mean[j]) / std[j];
    y[r * ML_CLASSES.length + labels[source]] = 1;
  }
  const hidden = type === 'mlp' ? settings.hidden : [];
  const model = layers.sequential();
  for (const [index, units] of [...hidden, ML_CLASSES.length].entries()) {
    model.add(
      layers.layers.dense({
        units,
        activation: index === hidden.length ? 'softmax' : 'relu',
        inputShape: index === 0 ? [width] : undefined,
        kernelInitializer: layers.initializers.glorotUniform({ seed: settings.seed + index }),
        biasInitializer: 'zeros',
      }),
    );
  }
  model.compile({ optimizer: tf.train.adam(settings.learningRate), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(x, [rows, width]);
  const ys = tf.tensor2d(y, [rows, ML_CLASSES.length]);
  try {
    await model.fit(xs, ys, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      shuffle: false,
      verbose: 0,
      callbacks: { onEpochEnd: async (epoch) => onEpoch(epoch + 1) },
    });
    const dense: DenseLayer[] = [];
    for (const [index, layer] of model.layers.entries()) {
      const [kernel, bias] = layer.getWeights();
      dense.push({
        inputs: kernel.shape[0],
        outputs: kernel.shape[1]!,
        weights: Array.from(await kernel.data()),
        bias: Array.from(await bias.data()),
        activation: index === model.layers.length - 1 ? 'softmax' : 'relu',
      });
    }
    return { mean, std, layers: dense };
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
}

/** TensorFlow.js's own probabilities for the same rows (the unit test compares the plain forward pass). */
export function tfProbabilities(
  parameters: ModelParameters,
  features: Float32Array,
  rows: number,
): Float32Array {
  const width = parameters.mean.length;
  return tf.tidy(() => {
    let activations = tf.div(
      tf.sub(tf.tensor2d(features, [rows, width]), tf.tensor1d(parameters.mean)),
      tf.tensor1d(parameters.std),
    );
    for (const layer of parameters.layers) {
      const z = tf.add(
        tf.matMul(activations, tf.tensor2d(layer.weights, [layer.inputs, layer.outputs])),
        tf.tensor1d(layer.bias),
      );
      activations = layer.activation === 'relu' ? tf.relu(z) : tf.softmax(z);
    }
    return activations.dataSync() as Float32Array;
  });
}

/** Each feature's mean and standard deviation over the rows (1 where a feature never varies). */
function standardisation(
  features: Float32Array,
  rows: number,
  width: number,
): { mean: number[]; std: number[] } {
  const mean = new Array<number>(width).fill(0);
  const squares = new Array<number>(width).fill(0);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < width; j++) {
      const value = features[r * width + j];
      mean[j] += value;
      squares[j] += value * value;
    }
  const std = mean.map((sum, j) => {
    const average = sum / Math.max(1, rows);
    const variance = squares[j] / Math.max(1, rows) - average * average;
    return variance > 1e-18 ? Math.sqrt(variance) : 1;
  });
  return { mean: mean.map((sum) => sum / Math.max(1, rows)), std };
}
