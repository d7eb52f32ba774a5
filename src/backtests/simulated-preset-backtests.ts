import { warmupCandles } from '../engine/bot-runtime';
import { ENTRY_SLIPPAGE_RESERVE } from '../engine/entry-execution';
import type { Candle } from '../market/market-types';
import { DAY_MS, MINUTE_MS, SimulatedMarket } from '../market/simulated-market';
import { SimulatedQuotes } from '../market/simulated-quotes';
import { SIMULATED_UNIVERSE } from '../market/simulated-universe';
import { aggregateCandles, TIMEFRAME_MS } from '../market/timeframes';
import { Money } from '../platform/decimal/money';
import type { PresetConfig } from '../presets/preset-config';
import { BUILTIN_STRATEGIES } from '../strategies/builtin-strategies';
import { rangeCandlesOf } from '../scanner/scanner-metrics';
import { resolveParameters } from '../strategies/strategy';
import { runBacktest } from './backtest-engine';
import type { BacktestResult, BacktestSymbol, BacktestTrade, FillModel } from './backtest-types';
import { simulatedBookFills } from './backtest-fill-models';

/** The paper exchange's default taker fee (PAPER_TAKER_FEE). */
const PAPER_TAKER_FEE = 0.001;
const HOUR_MS = TIMEFRAME_MS['1h'];
const QUARTER_MS = TIMEFRAME_MS['15m'];
/** History generated before `from`, for the strategies' warm-up. */
const WARM_UP_DAYS = 3;

/**
 * Backtests of presets over the simulated market without a database: candles generated in memory as
 * the backfill stores them, every symbol, the paper exchange's fees and book; what a backtest job does
 * over stored simulated candles. For reports and for tests over weeks of candles.
 */
export class SimulatedPresetBacktests {
  private readonly minutes = new Map<string, Candle[]>();
  private readonly fills: FillModel;

  constructor(
    seed: number,
    private readonly from: number,
    private readonly to: number,
    private readonly startingBalance = 10_000,
  ) {
    const market = new SimulatedMarket(seed, SIMULATED_UNIVERSE);
    this.fills = simulatedBookFills(new SimulatedQuotes(market));
    for (const [index, pair] of SIMULATED_UNIVERSE.entries())
      this.minutes.set(pair.symbol, market.candles(index, from - WARM_UP_DAYS * DAY_MS, to));
  }

  private readonly aggregates = new Map<string, Candle[]>();

  /** A symbol's 1h or 15m candles, aggregated from its minutes once. */
  private aggregated(symbol: string, timeframe: '1h' | '15m'): Candle[] {
    const key = `${symbol}|${timeframe}`;
    let candles = this.aggregates.get(key);
    if (!candles) {
      candles = aggregateCandles(this.minutes.get(symbol)!, MINUTE_MS, TIMEFRAME_MS[timeframe]);
      this.aggregates.set(key, candles);
    }
    return candles;
  }

  async run(config: PresetConfig): Promise<BacktestResult> {
    const strategy = BUILTIN_STRATEGIES.find((candidate) => candidate.name === config.strategy.name);
    if (!strategy) throw new Error(`no built-in strategy ${config.strategy.name}`);
    const { params } = resolveParameters(strategy, config.strategy.parameters);
    const span = TIMEFRAME_MS[config.timeframe];
    const warmStart = this.from - warmupCandles(strategy, params) * span;
    const inRange = (candles: Candle[], candleSpan: number, start: number) =>
      candles.filter((candle) => candle.openTime >= start && candle.openTime + candleSpan <= this.to);
    const symbols: BacktestSymbol[] = SIMULATED_UNIVERSE.map((pair) => ({
      symbol: pair.symbol,
      candles: inRange(aggregateCandles(this.minutes.get(pair.symbol)!, MINUTE_MS, span), span, warmStart),
      hours: inRange(this.aggregated(pair.symbol, '1h'), HOUR_MS, this.from - DAY_MS - HOUR_MS),
      quarters: inRange(this.aggregated(pair.symbol, '15m'), QUARTER_MS, this.from - DAY_MS),
      // As the paper exchange lists its markets.
      market: {
        amountStep: new Money(pair.stepSize).toString(),
        minAmount: Number(pair.stepSize),
        minNotional: Number(pair.minNotional),
      },
    }));
    return runBacktest(symbols, {
      from: this.from,
      to: this.to,
      span,
      strategy,
      params,
      risk: config.risk,
      startingBalance: this.startingBalance,
      takerFee: PAPER_TAKER_FEE,
      slippageReserve: ENTRY_SLIPPAGE_RESERVE,
      scanner: { config: config.scannerConfig, rangeCandles: rangeCandlesOf(config) },
      fills: this.fills,
    });
  }
}

/** When a closed trade counts for the risk limits: inside its candle, before the close it is stamped with, or at that close. */
function countedAt(trade: BacktestTrade): number {
  return trade.exitedInCandle ? trade.exitTime - 1 : trade.exitTime;
}

/**
 * Read from a trade list alone: the days on which the closed trades' R, summed from 00:00 UTC in the
 * order they closed (losses first among exits of one moment), reached the daily loss limit, and the
 * entries made on such a day after that.
 */
export function entriesAfterDailyLimit(
  trades: readonly BacktestTrade[],
  limitR: number,
): { days: number; entries: number } {
  const breachedAt = new Map<number, number>();
  const dayR = new Map<number, number>();
  // Exits at the same moment in the order that loses first (a candle does not tell theirs).
  for (const trade of [...trades].sort((a, b) => countedAt(a) - countedAt(b) || a.r - b.r)) {
    const day = Math.floor(countedAt(trade) / DAY_MS);
    const r = (dayR.get(day) ?? 0) + trade.r;
    dayR.set(day, r);
    if (r <= -limitR && !breachedAt.has(day)) breachedAt.set(day, countedAt(trade));
  }
  let entries = 0;
  for (const trade of trades) {
    const breach = breachedAt.get(Math.floor(trade.entryTime / DAY_MS));
    if (breach !== undefined && trade.entryTime > breach) entries++;
  }
  return { days: breachedAt.size, entries };
}
