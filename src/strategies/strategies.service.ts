import { Injectable } from '@nestjs/common';
import { CandleRepository } from '../market/candle.repository';
import { MarketDataService } from '../market/market-data.service';
import { SIMULATED_EXCHANGE } from '../market/market-simulation.service';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { BUILTIN_STRATEGIES } from './builtin-strategies';
import { SignalDto } from './dto/strategy.dto';
import { evaluateStrategy, resolveParameters, Strategy } from './strategy';

/** The built-in strategies, and their signals on the stored candles. */
@Injectable()
export class StrategiesService {
  private readonly byName = new Map(BUILTIN_STRATEGIES.map((strategy) => [strategy.name, strategy]));

  constructor(
    private readonly candles: CandleRepository,
    private readonly marketData: MarketDataService,
    private readonly clock: Clock,
  ) {}

  list(): readonly Strategy[] {
    return BUILTIN_STRATEGIES;
  }

  get(name: string): Strategy {
    const strategy = this.byName.get(name);
    if (!strategy)
      throw ApiError.notFound(`No strategy ${name}; known: ${[...this.byName.keys()].join(', ')}`);
    return strategy;
  }

  /** The strategy's parameters with defaults, or a 400 naming every bad field. */
  parameters(strategy: Strategy, given?: Record<string, unknown>): Record<string, number> {
    const { params, errors } = resolveParameters(strategy, given);
    if (errors.length > 0)
      throw ApiError.validation(errors.map((error) => `parameters.${error}`).join('; '), { errors });
    return params;
  }

  async signal(
    name: string,
    rawSymbol: string,
    timeframe: Timeframe,
    given?: Record<string, unknown>,
  ): Promise<SignalDto> {
    const strategy = this.get(name);
    const params = this.parameters(strategy, given);
    const symbol = this.marketData.requireKnownSymbol(rawSymbol);
    const span = TIMEFRAME_MS[timeframe];
    // Enough history for the strategy and its indicators to settle.
    const wanted = Math.min(2000, strategy.minCandles(params) + 100);
    const to = Math.floor(this.clock.nowMs() / span) * span;
    const history = await this.candles.range(
      SIMULATED_EXCHANGE,
      symbol,
      timeframe,
      to - wanted * span,
      to,
      wanted,
    );
    const signal = evaluateStrategy(strategy, history, params);
    const newest = history[history.length - 1];
    return {
      action: signal.action,
      confidence: Math.round(signal.confidence * 10_000) / 10_000,
      reason: signal.reason,
      stopLoss: signal.stopLoss ?? null,
      takeProfit: signal.takeProfit ?? null,
      strategy: strategy.name,
      symbol,
      timeframe,
      parameters: params,
      candles: history.length,
      asOf: newest ? new Date(newest.openTime).toISOString() : null,
    };
  }
}
