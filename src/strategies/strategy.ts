import type { Candle } from '../market/market-types';

export type SignalAction = 'buy' | 'sell' | 'hold';

/** What a strategy says about the newest candle. Prices are in the quote currency. */
export interface Signal {
  action: SignalAction;
  /** 0..1. */
  confidence: number;
  reason: string;
  stopLoss?: number;
  takeProfit?: number;
  /** The ML model's say, when the preset uses one: its confidence in `up` and which model. */
  ml?: { confidence: number; modelId: string; modelVersion: number; modelType: string };
}

export interface ParameterSpec {
  type: 'integer' | 'number';
  default: number;
  minimum: number;
  maximum: number;
  description: string;
}

export type Parameters = Record<string, number>;

/** A strategy's state over one symbol's candles: one update per closed candle, O(1) or O(window). */
export interface StrategyStream {
  /** The signal on the newest closed candle, given every candle before it. */
  next(candle: Candle): Signal;
}

/**
 * A strategy is a pure function of closed candles (oldest first) and its parameters to a signal:
 * the same candles always give the same signal, live, in paper trading and in backtests. Bots and
 * backtests feed a stream one candle at a time; `evaluateStrategy` runs a fresh stream over the candles, so
 * both give the same signal by construction.
 */
export interface Strategy {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, ParameterSpec>>;
  /** Candles it needs to say anything but hold. */
  minCandles(params: Parameters): number;
  stream(params: Parameters): StrategyStream;
}

/** The signal on the last candle, from a fresh stream over all of them. */
export function evaluateStrategy(
  strategy: Pick<Strategy, 'stream'>,
  candles: readonly Candle[],
  params: Parameters,
): Signal {
  const stream = strategy.stream(params);
  let signal = hold('no candles');
  for (const candle of candles) signal = stream.next(candle);
  return signal;
}

export function hold(reason: string): Signal {
  return { action: 'hold', confidence: 0, reason };
}

export function clamp01(value: number): number {
  return Math.max(0, Math.min(1, value));
}

/** The parameters with defaults filled in; unknown names and out-of-range values are listed as errors. */
export function resolveParameters(
  strategy: Strategy,
  given: Record<string, unknown> = {},
): { params: Parameters; errors: string[] } {
  const errors: string[] = [];
  const params: Parameters = {};
  for (const name of Object.keys(given))
    if (!Object.hasOwn(strategy.parameters, name))
      errors.push(`${name}: ${strategy.name} has no such parameter`);
  for (const [name, spec] of Object.entries(strategy.parameters)) {
    const value = given[name] ?? spec.default;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      errors.push(`${name}: must be a number`);
      continue;
    }
    if (spec.type === 'integer' && !Number.isInteger(value)) errors.push(`${name}: must be a whole number`);
    if (value < spec.minimum || value > spec.maximum)
      errors.push(`${name}: must be between ${spec.minimum} and ${spec.maximum}`);
    params[name] = value;
  }
  return { params, errors };
}
