import { ML_CLASSES } from './triple-barrier';

// Math through a module constant (a slow global lookup under Jest's vm context otherwise).
const math = Math;

export const MODEL_TYPES = ['logistic', 'mlp'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** One dense layer: `weights` row-major [inputs × outputs], as TensorFlow.js stores a kernel. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  weights: number[];
  bias: number[];
  activation: 'relu' | 'softmax';
}

/** A trained model's parameters as stored: the features' standardisation and the layers. */
export interface ModelParameters {
  mean: number[];
  std: number[];
  layers: DenseLayer[];
}

/**
 * Class probabilities (down, flat, up) of `rows` feature vectors laid end to end: the forward pass of
 * the layers TensorFlow.js trained, in plain arithmetic on the event loop (a few thousand multiply-adds
 * a row; the training library stays in its worker thread). The unit test checks it against TF's own.
 */
export function predictProbabilities(
  parameters: ModelParameters,
  features: ArrayLike<number>,
  rows: number,
): Float64Array {
  const width = parameters.mean.length;
  const out = new Float64Array(rows * ML_CLASSES.length);
  const input = new Float64Array(width);
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < width; j++)
      input[j] = (features[row * width + j] - parameters.mean[j]) / parameters.std[j];
    let activations: Float64Array = input;
    for (const layer of parameters.layers) activations = dense(layer, activations);
    out.set(activations, row * ML_CLASSES.length);
  }
  return out;
}

function dense(layer: DenseLayer, input: Float64Array): Float64Array {
  const output = new Float64Array(layer.outputs);
  for (let o = 0; o < layer.outputs; o++) {
    let sum = layer.bias[o];
    for (let i = 0; i < layer.inputs; i++) sum += input[i] * layer.weights[i * layer.outputs + o];
    output[o] = sum;
  }
  if (layer.activation === 'relu') {
    for (let o = 0; o < layer.outputs; o++) if (output[o] < 0) output[o] = 0;
    return output;
  }
  let peak = -Infinity;
  for (let o = 0; o < layer.outputs; o++) peak = math.max(peak, output[o]);
  let total = 0;
  for (let o = 0; o < layer.outputs; o++) total += output[o] = math.exp(output[o] - peak);
  for (let o = 0; o < layer.outputs; o++) output[o] /= total;
  return output;
}

/** How a learner trains: TensorFlow.js layers with Adam on the categorical cross-entropy. */
export interface LearnerSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Units of the hidden layers (mlp). */
  hidden: number[];
  seed: number;
}

export const DEFAULT_LEARNER_SETTINGS: Record<ModelType, LearnerSettings> = {
  logistic: { epochs: 6, batchSize: 512, learningRate: 0.01, hidden: [], seed: 7 },
  mlp: { epochs: 6, batchSize: 512, learningRate: 0.003, hidden: [32, 16], seed: 7 },
};
