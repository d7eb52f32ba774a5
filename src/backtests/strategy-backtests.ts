import { Injectable } from '@nestjs/common';
import { factorReturns, MARKET_FACTOR_SYMBOL } from '../ml/ml-dataset';
import { mlGatedStrategy } from '../ml/ml-gated-strategy';
import type { ModelType } from '../ml/ml-inference';
import { LoadedModel, MlModels } from '../ml/ml-models.service';
import { warmupCandles } from '../engine/bot-runtime';
import { ENTRY_SLIPPAGE_RESERVE } from '../engine/entry-execution';
import { withRiskCeilings } from '../engine/risk-manager';
import { MarketDataService } from '../market/market-data.service';
import { MarketSimulationService } from '../market/market-simulation.service';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { yieldToEventLoop } from '../platform/async/yield-to-event-loop';
import { JobFailedError } from '../platform/jobs/job-queue';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import type { PresetConfig } from '../presets/preset-config';
import { HOURS_NEEDED, rangeCandlesOf } from '../scanner/scanner-metrics';
import { StrategiesService } from '../strategies/strategies.service';
import { resolveParameters } from '../strategies/strategy';
import { TradingVenues } from '../trading/trading-venues.service';
import { BacktestCandles, DOWNLOAD_SHARE, LOAD_SHARE } from './backtest-candles';
import { runBacktest } from './backtest-engine';
import type { BacktestRequest } from './backtest.entity';
import type { BacktestResult, BacktestSymbol } from './backtest-types';
import { closeFills, simulatedBookFills } from './backtest-fill-models';

const HOUR_MS = TIMEFRAME_MS['1h'];
const QUARTER_MS = TIMEFRAME_MS['15m'];

/**
 * Backtests of strategy presets: the timeframe's candles (with the strategy's warm-up) and the
 * scanner's hours and quarters from the store (downloaded first from an exchange account), replayed by
 * runBacktest with the engine's sizing, risk limits and the paper exchange's fills.
 */
@Injectable()
export class StrategyBacktests {
  constructor(
    private readonly history: BacktestCandles,
    private readonly marketData: MarketDataService,
    private readonly simulation: MarketSimulationService,
    private readonly strategies: StrategiesService,
    private readonly venues: TradingVenues,
    private readonly settings: RuntimeSettings,
    private readonly models: MlModels,
  ) {}

  /**
   * The models of the type and timeframe trained on data that ended before the replay does, oldest first;
   * refused when none was trained on data before it starts (the replay would need its own future).
   */
  private async walkForwardModels(type: ModelType, timeframe: Timeframe, from: number, to: number) {
    const models = await this.models.trainedThrough(type, timeframe, to);
    if (models.length === 0 || models[0].trainingTo > from)
      throw new JobFailedError(
        `no ${type} model of ${timeframe} was trained on data before ${new Date(from).toISOString()}: a backtest uses only models trained before each time it replays`,
      );
    return models;
  }

  async replay(
    request: BacktestRequest,
    config: PresetConfig,
    progress: (percent: number) => Promise<void>,
  ): Promise<BacktestResult> {
    const base = this.strategies.get(config.strategy.name);
    const { params } = resolveParameters(base, config.strategy.parameters);
    const timeframe = request.timeframe as Timeframe;
    const span = TIMEFRAME_MS[timeframe];
    const from = Math.ceil(Date.parse(request.from) / span) * span;
    const to = Math.floor(Date.parse(request.to) / span) * span;
    const models = config.ml ? await this.walkForwardModels(config.ml.modelType, timeframe, from, to) : null;
    let factor = new Map<number, number>();
    const strategy =
      config.ml && models
        ? mlGatedStrategy(
            base,
            config.ml,
            span,
            (closeTime) => newestTrainedBy(models, closeTime),
            (openTime) => factor.get(openTime) ?? null,
          )
        : base;
    // The engine's warm-up: the strategy has seen as many candles before `from` as a bot started then.
    const warmStart = from - warmupCandles(strategy, params) * span;
    const source = await this.marketData.candleSource(request.accountId);
    // An ML preset reads the market factor's returns: its candles load with the others.
    const wanted = config.ml ? [...new Set([...request.symbols, MARKET_FACTOR_SYMBOL])] : request.symbols;
    if (request.accountId)
      await this.history.download(wanted, source, timeframe, warmStart, to - span, (done) =>
        progress(done * DOWNLOAD_SHARE),
      );
    const loadShare = request.accountId ? DOWNLOAD_SHARE : 0;
    const stored = await this.history.load(wanted, source.key, timeframe, warmStart, to - span, (done) =>
      progress(loadShare + done * LOAD_SHARE),
    );
    // The scanner's hours and quarters, from a day before the first scan (progress stands meanwhile;
    // a cancel still stops it between reads).
    const scanFrom = Math.floor(from / HOUR_MS) * HOUR_MS - HOURS_NEEDED * HOUR_MS;
    const standing = () => progress(loadShare + LOAD_SHARE);
    if (request.accountId)
      for (const scanTimeframe of ['1h', '15m'] as const)
        await this.history.download(
          wanted,
          source,
          scanTimeframe,
          scanFrom,
          to - TIMEFRAME_MS[scanTimeframe],
          standing,
        );
    const hours = await this.history.load(wanted, source.key, '1h', scanFrom, to - HOUR_MS, standing);
    const quarters = await this.history.load(wanted, source.key, '15m', scanFrom, to - QUARTER_MS, standing);
    if (config.ml) factor = factorReturns(stored.get(MARKET_FACTOR_SYMBOL));
    const inRange = [...stored.values()].reduce(
      (count, candles) => count + candles.filter((candle) => candle.openTime >= from).length,
      0,
    );
    if (inRange === 0)
      throw new JobFailedError(
        `no ${timeframe} candles of ${request.symbols.join(', ')} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}: the market has no history there`,
      );
    const { exchange } = await this.venues.resolve(request.accountId ?? undefined);
    const markets = new Map((await exchange.markets()).map((market) => [market.symbol, market]));
    const replayStart = loadShare + LOAD_SHARE;
    const symbols: BacktestSymbol[] = request.symbols.map((symbol) => {
      const market = markets.get(symbol);
      return {
        symbol,
        candles: stored.get(symbol) ?? [],
        hours: hours.get(symbol) ?? [],
        quarters: quarters.get(symbol) ?? [],
        market: {
          amountStep: market?.amountStep ?? '0.00000001',
          minAmount: Number(market?.minAmount ?? 0),
          minNotional: Number(market?.minNotional ?? 0),
        },
      };
    });
    await yieldToEventLoop();
    return runBacktest(symbols, {
      from,
      to,
      span,
      strategy,
      params,
      risk: withRiskCeilings(config.risk, this.settings.section('risk')),
      startingBalance: request.startingBalance,
      takerFee: request.takerFee,
      slippageReserve: ENTRY_SLIPPAGE_RESERVE,
      scanner: { config: config.scannerConfig, rangeCandles: rangeCandlesOf(config) },
      fills:
        request.slippageBps !== null && request.slippageBps !== undefined
          ? closeFills(request.slippageBps)
          : simulatedBookFills(this.simulation.quotes),
      checkpoint: (fraction) => progress(replayStart + fraction * (100 - replayStart)),
    });
  }
}

/** The newest of the models (oldest first by end of training) trained on data that ended by `time`. */
export function newestTrainedBy(models: readonly LoadedModel[], time: number): LoadedModel | undefined {
  let low = 0;
  let high = models.length - 1;
  let found: LoadedModel | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (models[middle].trainingTo <= time) {
      found = models[middle];
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}
