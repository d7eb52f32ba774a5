import type { Candle } from '../market/market-types';
import type { PresetMlConfig } from '../presets/preset-config';
import {
  hold,
  type Parameters,
  type Signal,
  type Strategy,
  type StrategyStream,
} from '../strategies/strategy';
import { logReturn, FeatureStream } from './ml-features';
import { argmax } from './ml-metrics';
import { predictProbabilities } from './ml-inference';
import type { LoadedModel } from './ml-models.service';
import { ML_CLASSES, UP } from './triple-barrier';

/** Candles the feature pipeline needs before it says anything (its longest window and the higher timeframe's RSI). */
const FEATURE_MIN_CANDLES = 120;
/** One-candle returns of the market factor kept (a bot's streams look back no further). */
const TAPE_LENGTH = 5000;

/** The market factor's one-candle log returns by open time, fed as its candles arrive. */
export class FactorTape {
  private readonly returns = new Map<number, number>();
  private last: { openTime: number; close: number } | undefined;

  constructor(private readonly span: number) {}

  add(candles: readonly Candle[]): void {
    for (const candle of candles) {
      if (this.last && candle.openTime <= this.last.openTime) continue;
      if (this.last?.openTime === candle.openTime - this.span)
        this.returns.set(candle.openTime, logReturn(this.last.close, candle.close));
      this.last = { openTime: candle.openTime, close: candle.close };
    }
    for (const key of this.returns.keys()) {
      if (this.returns.size <= TAPE_LENGTH) break;
      this.returns.delete(key);
    }
  }

  get(openTime: number): number | null {
    return this.returns.get(openTime) ?? null;
  }
}

/**
 * A strategy under an ML model: the same stream interface, so bots and backtests run it as any other.
 * `modelAt(closeTime)` is the model to ask at a close (the active one live; in a backtest the newest
 * trained on data before that time) and `factor(openTime)` the market factor's return then.
 */
export function mlGatedStrategy(
  strategy: Strategy,
  ml: PresetMlConfig,
  span: number,
  modelAt: (closeTime: number) => LoadedModel | undefined,
  factor: (openTime: number) => number | null,
): Strategy {
  return {
    name: strategy.name,
    description: strategy.description,
    parameters: strategy.parameters,
    minCandles: (params: Parameters) => Math.max(strategy.minCandles(params), FEATURE_MIN_CANDLES),
    stream(params: Parameters): StrategyStream {
      const inner = strategy.stream(params);
      const features = new FeatureStream(span);
      return {
        next(candle: Candle): Signal {
          const signal = inner.next(candle);
          const vector = features.update(candle, factor(candle.openTime));
          const model = modelAt(candle.openTime + span);
          const entering = ml.mode === 'signal' || signal.action === 'buy';
          if (!vector || !model) {
            if (signal.action === 'sell') return signal;
            return entering
              ? hold(`ml: ${model ? 'features warming up' : `no ${ml.modelType} model`}`)
              : signal;
          }
          const probabilities = predictProbabilities(model.parameters, vector, 1);
          const predicted = argmax(probabilities);
          const confidence = probabilities[predicted];
          const say = {
            confidence: probabilities[UP],
            modelId: model.id,
            modelVersion: model.version,
            modelType: model.type,
          };
          const up = predicted === UP && confidence >= ml.minConfidence;
          const verdict = `${model.type} v${model.version} says ${ML_CLASSES[predicted]} (${confidence.toFixed(2)})`;
          if (ml.mode === 'filter') {
            if (signal.action !== 'buy') return signal;
            return up
              ? { ...signal, reason: `${signal.reason}; ${verdict}`, ml: say }
              : hold(`ml filter: ${verdict}`);
          }
          if (up) {
            const atr = features.lastAtr!;
            return {
              action: 'buy',
              confidence,
              reason: `ml signal: ${verdict}`,
              stopLoss: candle.close - model.labelSettings.kDown * atr,
              takeProfit: candle.close + model.labelSettings.kUp * atr,
              ml: say,
            };
          }
          return signal.action === 'sell' ? signal : hold(`ml signal: ${verdict}`);
        },
      };
    },
  };
}
