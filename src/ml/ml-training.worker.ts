/**
 * The retrain's worker thread: builds the dataset, runs the walk-forward evaluation and trains the model
 * to deploy with TensorFlow.js, away from the event loop that serves the API and runs the bots. It
 * answers `{ progress }` messages as it goes and one `{ outcome }` or `{ error }` at the end.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Candle } from '../market/market-types';
import { trainClassifier } from './ml-learners';
import { runTraining, type TrainingRequest } from './ml-training-run';

export interface WorkerInput {
  request: TrainingRequest;
  /** Per symbol, its candles packed as [openTime, open, high, low, close, volume] × n. */
  candles: Array<{ symbol: string; packed: Float64Array }>;
}

function unpack(packed: Float64Array): Candle[] {
  const candles: Candle[] = [];
  for (let i = 0; i < packed.length; i += 6)
    candles.push({
      openTime: packed[i],
      open: packed[i + 1],
      high: packed[i + 2],
      low: packed[i + 3],
      close: packed[i + 4],
      volume: packed[i + 5],
    });
  return candles;
}

/**
 * Training yields the CPU to the API and the bots: on Linux a thread's nice value is its own, and
 * /proc/thread-self names this thread's id (elsewhere the thread keeps the process's priority).
 */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 19);
  } catch {
    // Not Linux, or not allowed: the thread keeps its priority.
  }
}

lowerThreadPriority();
const input = workerData as WorkerInput;
const port = parentPort!;
const bySymbol = new Map(input.candles.map(({ symbol, packed }) => [symbol, unpack(packed)]));
let lastReport = -1;
runTraining(
  bySymbol,
  input.request,
  (features, labels, width, onEpoch) =>
    trainClassifier(input.request.type, features, labels, width, input.request.learner, onEpoch),
  async (share) => {
    const percent = Math.floor(share * 100);
    if (percent !== lastReport) port.postMessage({ progress: share });
    lastReport = percent;
  },
).then(
  (outcome) => port.postMessage({ outcome }),
  (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
