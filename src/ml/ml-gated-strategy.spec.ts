import { SimulatedMarket } from '../market/simulated-market';
import { SIMULATED_UNIVERSE } from '../market/simulated-universe';
import { aggregateCandles } from '../market/timeframes';
import type { Candle } from '../market/market-types';
import type { Signal, Strategy } from '../strategies/strategy';
import { FEATURE_COUNT } from './ml-features';
import { mlGatedStrategy } from './ml-gated-strategy';
import type { LoadedModel } from './ml-models.service';

const QUARTER = 900_000;
const start = Date.UTC(2026, 4, 4);
const candles = aggregateCandles(
  new SimulatedMarket(3, SIMULATED_UNIVERSE).candles(1, start, start + 3 * 86_400_000),
  60_000,
  QUARTER,
);

/** A model that always says up with probability 4 / 6 (softmax of biases 0, 0, ln 4). */
const model: LoadedModel = {
  id: '00000000-0000-4000-8000-000000000001',
  type: 'logistic',
  version: 7,
  timeframe: '15m',
  symbols: ['ETH/USDT'],
  trainingTo: 0,
  labelSettings: { kUp: 3, kDown: 1.5, horizon: 16 },
  parameters: {
    mean: new Array<number>(FEATURE_COUNT).fill(0),
    std: new Array<number>(FEATURE_COUNT).fill(1),
    layers: [
      {
        inputs: FEATURE_COUNT,
        outputs: 3,
        weights: new Array<number>(FEATURE_COUNT * 3).fill(0),
        bias: [0, 0, Math.log(4)],
        activation: 'softmax',
      },
    ],
  },
};

/** Says `action` on every candle (a buy with a stop 2% below the close). */
function always(action: Signal['action']): Strategy {
  return {
    name: 'always',
    description: '',
    parameters: {},
    minCandles: () => 1,
    stream: () => ({
      next: (candle: Candle) => ({
        action,
        confidence: 0.5,
        reason: 'always',
        stopLoss: candle.close * 0.98,
      }),
    }),
  };
}

function run(strategy: Strategy): Signal[] {
  const stream = strategy.stream({});
  return candles.map((candle) => stream.next(candle));
}

describe('mlGatedStrategy', () => {
  it('filter: lets the strategy’s buys through when the model says up with enough confidence, with its say', () => {
    const signals = run(
      mlGatedStrategy(
        always('buy'),
        { modelType: 'logistic', minConfidence: 0.6, mode: 'filter' },
        QUARTER,
        () => model,
        () => 0,
      ),
    );
    const ready = signals.findIndex((signal) => signal.action === 'buy');
    expect(ready).toBeGreaterThan(90);
    expect(signals.slice(0, ready).every((signal) => signal.reason === 'ml: features warming up')).toBe(true);
    const passed = signals[ready];
    expect(passed.stopLoss).toBe(candles[ready].close * 0.98);
    expect(passed.ml).toEqual({
      confidence: expect.closeTo(4 / 6, 12),
      modelId: model.id,
      modelVersion: 7,
      modelType: 'logistic',
    });
    expect(signals.slice(ready).every((signal) => signal.action === 'buy')).toBe(true);
  });

  it('filter: holds the buys the model is not confident enough about, never its sells, and without a model', () => {
    const strict = run(
      mlGatedStrategy(
        always('buy'),
        { modelType: 'logistic', minConfidence: 0.7, mode: 'filter' },
        QUARTER,
        () => model,
        () => 0,
      ),
    );
    expect(strict.some((signal) => signal.action === 'buy')).toBe(false);
    expect(strict.at(-1)!.reason).toBe('ml filter: logistic v7 says up (0.67)');
    const sells = run(
      mlGatedStrategy(
        always('sell'),
        { modelType: 'logistic', minConfidence: 0.7, mode: 'filter' },
        QUARTER,
        () => model,
        () => 0,
      ),
    );
    expect(sells.every((signal) => signal.action === 'sell')).toBe(true);
    const none = run(
      mlGatedStrategy(
        always('buy'),
        { modelType: 'mlp', minConfidence: 0.1, mode: 'filter' },
        QUARTER,
        () => undefined,
        () => 0,
      ),
    );
    expect(none.every((signal) => signal.action === 'hold' && signal.reason === 'ml: no mlp model')).toBe(
      true,
    );
  });

  it('signal: enters on the model’s own up, stop and target at its triple barrier', () => {
    const signals = run(
      mlGatedStrategy(
        always('hold'),
        { modelType: 'logistic', minConfidence: 0.6, mode: 'signal' },
        QUARTER,
        () => model,
        () => 0,
      ),
    );
    const ready = signals.findIndex((signal) => signal.action === 'buy');
    const entry = signals[ready];
    const close = candles[ready].close;
    expect(entry.confidence).toBeCloseTo(4 / 6, 12);
    // kDown 1.5 and kUp 3 ATRs: the target is twice as far from the close as the stop.
    expect(entry.stopLoss!).toBeLessThan(close);
    expect((entry.takeProfit! - close) / (close - entry.stopLoss!)).toBeCloseTo(2, 9);
  });
});
