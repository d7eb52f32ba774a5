import { Injectable } from '@nestjs/common';
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
  ) {}

  async replay(
    request: BacktestRequest,
    config: PresetConfig,
    progress: (percent: number) => Promise<void>,
  ): Promise<BacktestResult> {
    const strategy = this.strategies.get(config.strategy.name);
    const { params } = resolveParameters(strategy, config.strategy.parameters);
    const timeframe = request.timeframe as Timeframe;
    const span = TIMEFRAME_MS[timeframe];
    const from = Math.ceil(Date.parse(request.from) / span) * span;
    const to = Math.floor(Date.parse(request.to) / span) * span;
    // The engine's warm-up: the strategy has seen as many candles before `from` as a bot started then.
    const warmStart = from - warmupCandles(strategy, params) * span;
    const source = await this.marketData.candleSource(request.accountId);
    const { symbols: wanted } = request;
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
