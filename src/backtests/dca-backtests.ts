import { Injectable } from '@nestjs/common';
import { warmupCandles } from '../engine/bot-runtime';
import { MarketDataService } from '../market/market-data.service';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { yieldToEventLoop } from '../platform/async/yield-to-event-loop';
import { JobFailedError } from '../platform/jobs/job-queue';
import type { DcaBotConfig, PresetConfig } from '../presets/preset-config';
import { StrategiesService } from '../strategies/strategies.service';
import { resolveParameters } from '../strategies/strategy';
import { TradingVenues } from '../trading/trading-venues.service';
import { BacktestCandles, DOWNLOAD_SHARE, LOAD_SHARE } from './backtest-candles';
import type { BacktestRequest } from './backtest.entity';
import { DcaBacktestResult, runDcaBacktest } from './dca-backtest-engine';

/**
 * Backtests of DCA presets: the timeframe's stored candles (downloaded first from an exchange account)
 * replayed by runDcaBacktest with the preset's deal and bot settings and the markets' steps; with a
 * signal start condition, the strategy's streams warmed up as a bot's are.
 */
@Injectable()
export class DcaBacktests {
  constructor(
    private readonly history: BacktestCandles,
    private readonly marketData: MarketDataService,
    private readonly strategies: StrategiesService,
    private readonly venues: TradingVenues,
  ) {}

  async replay(
    request: BacktestRequest,
    config: PresetConfig & { dca: DcaBotConfig },
    progress: (percent: number) => Promise<void>,
  ): Promise<DcaBacktestResult> {
    const timeframe = request.timeframe as Timeframe;
    const span = TIMEFRAME_MS[timeframe];
    const from = Math.ceil(Date.parse(request.from) / span) * span;
    const to = Math.floor(Date.parse(request.to) / span) * span;
    const signals =
      config.dca.startCondition === 'signal'
        ? (() => {
            const strategy = this.strategies.get(config.strategy.name);
            return { strategy, params: resolveParameters(strategy, config.strategy.parameters).params };
          })()
        : undefined;
    const warmStart = signals ? from - warmupCandles(signals.strategy, signals.params) * span : from;
    const source = await this.marketData.candleSource(request.accountId ?? undefined);
    if (request.accountId)
      await this.history.download(request.symbols, source, timeframe, warmStart, to - span, (done) =>
        progress(done * DOWNLOAD_SHARE),
      );
    const loadShare = request.accountId ? DOWNLOAD_SHARE : 0;
    const stored = await this.history.load(
      request.symbols,
      source.key,
      timeframe,
      warmStart,
      to - span,
      (done) => progress(loadShare + done * LOAD_SHARE),
    );
    const inRange = [...stored.values()].some((candles) => candles.some((candle) => candle.openTime >= from));
    if (!inRange)
      throw new JobFailedError(
        `no ${timeframe} candles of ${request.symbols.join(', ')} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}: the market has no history there`,
      );
    const { exchange } = await this.venues.resolve(request.accountId ?? undefined);
    const markets = new Map((await exchange.markets()).map((market) => [market.symbol, market]));
    await yieldToEventLoop();
    const replayStart = loadShare + LOAD_SHARE;
    return runDcaBacktest(
      request.symbols.map((symbol) => ({
        symbol,
        candles: stored.get(symbol) ?? [],
        market: {
          priceStep: markets.get(symbol)?.priceStep ?? '0.00000001',
          amountStep: markets.get(symbol)?.amountStep ?? '0.00000001',
        },
      })),
      {
        from,
        to,
        span,
        dca: config.dca,
        startingBalance: request.startingBalance,
        takerFee: request.takerFee,
        signals,
        checkpoint: (fraction) => progress(replayStart + fraction * (100 - replayStart)),
      },
    );
  }
}
