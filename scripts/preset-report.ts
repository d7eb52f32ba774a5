/**
 * The built-in presets' backtests over the default simulation (seed 42, every symbol, 25 Oct - 20 Nov
 * 2026 unless REPORT_FROM / REPORT_TO / REPORT_SEED say otherwise), through the backtest engine the
 * backtest jobs run, with the paper exchange's fees and book: one line per preset with its trades,
 * win rate, mean R, total return, realised risk per trade, and how often it entered on a day after its
 * daily loss limit was reached. Candles come from the simulation in memory, as the backfill stores them.
 *
 *   npm run report:presets
 */
import { runBacktest, BacktestSymbol, BacktestTrade } from '../src/backtests/backtest-engine';
import { simulatedBookFills } from '../src/backtests/backtest-fill-models';
import { warmupCandles } from '../src/engine/bot-runtime';
import { ENTRY_SLIPPAGE_RESERVE } from '../src/engine/entry-execution';
import { DAY_MS, MINUTE_MS, SimulatedMarket } from '../src/market/simulated-market';
import { SimulatedQuotes } from '../src/market/simulated-quotes';
import { SIMULATED_UNIVERSE } from '../src/market/simulated-universe';
import { aggregateCandles, TIMEFRAME_MS } from '../src/market/timeframes';
import { Money } from '../src/platform/decimal/money';
import { BUILTIN_PRESETS } from '../src/presets/builtin-presets';
import { BUILTIN_STRATEGIES } from '../src/strategies/builtin-strategies';
import { resolveParameters } from '../src/strategies/strategy';

const SEED = Number(process.env.REPORT_SEED ?? 42);
const FROM = Date.parse(process.env.REPORT_FROM ?? '2026-10-25T00:00:00Z');
const TO = Date.parse(process.env.REPORT_TO ?? '2026-11-20T00:00:00Z');
const STARTING_BALANCE = 10_000;
/** The paper exchange's default taker fee (PAPER_TAKER_FEE). */
const TAKER_FEE = 0.001;

/**
 * Days on which the trade list enters after the day's closed trades reached the daily loss limit: R
 * summed in the order trades closed, from 00:00 UTC, a stop or target counted when it happened (during
 * its candle, before the close it is stamped with), another exit at its close.
 */
function entriesAfterDailyLimit(
  trades: readonly BacktestTrade[],
  limitR: number,
): { days: number; entries: number } {
  const happened = (trade: BacktestTrade) =>
    trade.exitReason === 'stop_loss' || trade.exitReason === 'take_profit'
      ? trade.exitTime - 1
      : trade.exitTime;
  const breachedAt = new Map<number, number>();
  const dayR = new Map<number, number>();
  for (const trade of [...trades].sort((a, b) => happened(a) - happened(b))) {
    const day = Math.floor(happened(trade) / DAY_MS);
    const r = (dayR.get(day) ?? 0) + trade.r;
    dayR.set(day, r);
    if (r <= -limitR && !breachedAt.has(day)) breachedAt.set(day, happened(trade));
  }
  let entries = 0;
  for (const trade of trades) {
    const breach = breachedAt.get(Math.floor(trade.entryTime / DAY_MS));
    if (breach !== undefined && trade.entryTime > breach) entries++;
  }
  return { days: breachedAt.size, entries };
}

/** Risk taken per trade as a share of equity at entry (equity: the balance plus closed trades' PnL). */
function realisedRisk(trades: readonly BacktestTrade[]): number | null {
  if (trades.length === 0) return null;
  const closed = [...trades].sort((a, b) => a.exitTime - b.exitTime);
  let total = 0;
  for (const trade of trades) {
    const equity =
      STARTING_BALANCE +
      closed.filter((other) => other.exitTime <= trade.entryTime).reduce((sum, other) => sum + other.pnl, 0);
    total += trade.initialRisk / equity;
  }
  return total / trades.length;
}

async function main(): Promise<void> {
  const market = new SimulatedMarket(SEED, SIMULATED_UNIVERSE);
  const fills = simulatedBookFills(new SimulatedQuotes(market));
  const minutesBySymbol = new Map<string, ReturnType<SimulatedMarket['candles']>>();
  const warmFrom = FROM - 3 * DAY_MS;
  for (const [index, pair] of SIMULATED_UNIVERSE.entries())
    minutesBySymbol.set(pair.symbol, market.candles(index, warmFrom, TO));
  const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(2)} %`);
  process.stdout.write(
    `seed ${SEED}, ${SIMULATED_UNIVERSE.length} symbols, ${new Date(FROM).toISOString().slice(0, 10)} to ${new Date(TO).toISOString().slice(0, 10)}\n`,
  );
  process.stdout.write(
    'preset | trades | win rate | mean R | total return | realised risk (configured) | limit days, entries after\n',
  );
  for (const [name, config] of Object.entries(BUILTIN_PRESETS)) {
    const strategy = BUILTIN_STRATEGIES.find((candidate) => candidate.name === config.strategy.name)!;
    const { params } = resolveParameters(strategy, config.strategy.parameters);
    const span = TIMEFRAME_MS[config.timeframe];
    const warmStart = FROM - warmupCandles(strategy, params) * span;
    const symbols: BacktestSymbol[] = SIMULATED_UNIVERSE.map((pair) => ({
      symbol: pair.symbol,
      candles: aggregateCandles(minutesBySymbol.get(pair.symbol)!, MINUTE_MS, span).filter(
        (candle) => candle.openTime >= warmStart && candle.openTime + span <= TO,
      ),
      // As the paper exchange lists its markets.
      market: {
        amountStep: new Money(pair.stepSize).toString(),
        minAmount: Number(pair.stepSize),
        minNotional: Number(pair.minNotional),
      },
    }));
    const result = await runBacktest(symbols, {
      from: FROM,
      to: TO,
      span,
      strategy,
      params,
      risk: config.risk,
      startingBalance: STARTING_BALANCE,
      takerFee: TAKER_FEE,
      slippageReserve: ENTRY_SLIPPAGE_RESERVE,
      fills,
    });
    const { metrics, trades } = result;
    const limit = entriesAfterDailyLimit(trades, config.risk.dailyLossLimitR);
    process.stdout.write(
      `${name} | ${metrics.trades} | ${percent(metrics.winRate)} | ${metrics.avgR === null ? '-' : metrics.avgR.toFixed(3)} | ${percent(metrics.totalReturn)} | ${percent(realisedRisk(trades))} (${percent(config.risk.riskPerTrade)}) | ${limit.days}, ${limit.entries}\n`,
    );
  }
}

void main();
