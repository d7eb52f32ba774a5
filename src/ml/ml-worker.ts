import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Candle } from '../market/market-types';
import type { TrainingOutcome, TrainingRequest } from './ml-training-run';
import type { WorkerInput } from './ml-training.worker';

/**
 * Runs a retrain in a worker thread and resolves with its outcome; `onProgress` hears 0..1. The signal
 * stops the thread (a cancelled job, a stopping instance). From the TypeScript sources (tests, tools)
 * the thread compiles them as the main thread does.
 */
export function trainInWorker(
  request: TrainingRequest,
  candles: ReadonlyMap<string, readonly Candle[]>,
  onProgress: (share: number) => void,
  signal: AbortSignal,
): Promise<TrainingOutcome> {
  const packed = [...candles].map(([symbol, rows]) => ({ symbol, packed: pack(rows) }));
  const input: WorkerInput = { request, candles: packed };
  const file = path.join(__dirname, `ml-training.worker${path.extname(__filename)}`);
  const options = {
    workerData: input,
    transferList: packed.map(({ packed: buffer }) => buffer.buffer as ArrayBuffer),
  };
  const worker = file.endsWith('.ts')
    ? new Worker(`require('@swc-node/register'); require(${JSON.stringify(file)});`, {
        ...options,
        eval: true,
      })
    : new Worker(file, options);
  return new Promise<TrainingOutcome>((resolve, reject) => {
    const stop = () => {
      void worker.terminate();
      reject(
        signal.reason instanceof Error
          ? signal.reason
          : new Error('training stopped', { cause: signal.reason }),
      );
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: { progress?: number; outcome?: TrainingOutcome; error?: string }) => {
      if (message.progress !== undefined) onProgress(message.progress);
      else {
        signal.removeEventListener('abort', stop);
        void worker.terminate();
        if (message.outcome) resolve(message.outcome);
        else reject(new Error(message.error ?? 'training failed'));
      }
    });
    worker.on('error', (error: Error) => {
      signal.removeEventListener('abort', stop);
      reject(error);
    });
    worker.on('exit', (code) => {
      signal.removeEventListener('abort', stop);
      reject(new Error(`the training thread stopped (exit code ${code})`));
    });
  });
}

function pack(candles: readonly Candle[]): Float64Array {
  const packed = new Float64Array(candles.length * 6);
  for (const [i, candle] of candles.entries())
    packed.set([candle.openTime, candle.open, candle.high, candle.low, candle.close, candle.volume], i * 6);
  return packed;
}
