import type { Candle } from '../market/market-types';
import type { BookFill } from '../exchange/paper/book-walk';
import type { Money } from '../platform/decimal/money';
import type { RiskPause } from '../engine/risk-manager';
import type { SizedBy } from '../engine/risk-sizing';
import type { PresetRisk, ScannerConfig } from '../presets/preset-config';
import type { Parameters, Strategy } from '../strategies/strategy';

// What a backtest takes and gives: the symbols and settings it replays, the trades and metrics it reports.

export interface BacktestMarket {
  amountStep: string;
  minAmount: number;
  minNotional: number;
}

export interface BacktestSymbol {
  symbol: string;
  /** Candles of the timeframe, oldest first, from the warm-up on. */
  candles: readonly Candle[];
  market: BacktestMarket;
  /** Its 1h and 15m candles, oldest first, for the scanner's measures (with `settings.scanner`). */
  hours?: readonly Candle[];
  quarters?: readonly Candle[];
}

/**
 * How orders fill: the paper exchange's model (its book at that moment), or an exchange's candles with
 * a slippage. `price` is the candle price the order is placed at (the open of the next candle, when the
 * bot acts), used where there is no book.
 */
export interface FillModel {
  ask(symbol: string, atMs: number, price: number): number;
  buy(symbol: string, amount: Money, atMs: number, price: number): BookFill[];
  /** A market sell at that moment (exits at a candle's close: time stop, sell signal, end of test). */
  sell(symbol: string, amount: Money, atMs: number, price: number): BookFill[];
  /**
   * A market sell once the market traded at `level` (a stop or target reached during the candle that
   * closes at `atMs`): the bids of that moment's book, as the trade guard's market sell takes them.
   */
  sellAtLevel(symbol: string, amount: Money, atMs: number, level: number): BookFill[];
  /** The bid-ask spread as a share of the price at that moment (an exit sells into it). */
  spread(symbol: string, atMs: number): number;
  /**
   * Where the fills know the market's path inside a candle (the simulation's per-second prices, which
   * its candles' highs and lows come from): the first second in [from, to) the last price was at or
   * below `below` or at or above `above`, and which one; null when it never was; undefined where the
   * path is not known (then, as on an exchange's candles, a candle that reached a level is read in the
   * worst order, the stop first).
   */
  firstTouch?(
    symbol: string,
    from: number,
    to: number,
    below: number | null,
    above: number | null,
  ): { atMs: number; side: 'below' | 'above' } | null | undefined;
}

export interface BacktestSettings {
  /** Open time of the first candle acted on; candles before it only warm the strategy up. */
  from: number;
  /** End (exclusive) of the last candle. */
  to: number;
  span: number;
  strategy: Strategy;
  params: Parameters;
  risk: PresetRisk;
  startingBalance: number;
  takerFee: number;
  /** Share of the free balance an entry leaves for the ask and the book walk (as the engine). */
  slippageReserve: number;
  fills: FillModel;
  /**
   * The preset's scanner, replayed as a bot runs it: at its interval, from the closed 1h, 15m and
   * timeframe candles, its filters and scores, its best `maxCandidates`; a bot enters only those, best
   * first. Without it every symbol is a candidate, the most confident signal first.
   */
  scanner?: { config: ScannerConfig; rangeCandles: number };
  /**
   * Awaited about every 100 ms of replay with the share done (0-1): reports progress, lets the event
   * loop serve other work, and stops the replay by throwing (a cancelled job).
   */
  checkpoint?: (fraction: number) => Promise<void>;
}

export interface BacktestTrade {
  symbol: string;
  side: 'long';
  entryTime: number;
  entryPrice: number;
  amount: number;
  /** The stop it was entered with. */
  stopLoss: number;
  /** The stop when it was closed (after any trailing). */
  finalStopLoss: number;
  takeProfit: number | null;
  initialRisk: number;
  /** What it would lose at its stop, costs included, as a share of equity at entry. */
  riskShare: number;
  sizedBy: SizedBy;
  exitTime: number;
  exitPrice: number;
  exitReason: 'stop_loss' | 'take_profit' | 'time_stop' | 'signal' | 'end_of_test';
  /**
   * The exit happened inside the candle (a stop or target the market reached, as the trade guard sells)
   * rather than at its close (`exitTime` is the candle's close either way).
   */
  exitedInCandle: boolean;
  fees: number;
  pnl: number;
  r: number;
}

/** A time the backtest stopped entering, as a bot pauses on its risk limits. */
export interface BacktestPause {
  code: RiskPause['code'];
  /** Candle close (ms) at which the limit was found reached. */
  from: number;
  /** When the pause lifted (ms); entries resume at the first close from then. */
  until: number;
  message: string;
}

export interface BacktestMetrics {
  startingBalance: number;
  finalEquity: number;
  totalReturn: number;
  sharpe: number | null;
  sortino: number | null;
  /** Deepest fall from a peak of equity at candle closes to equity at a candle's lows. */
  maxDrawdown: number;
  winRate: number | null;
  profitFactor: number | null;
  trades: number;
  wins: number;
  losses: number;
  avgR: number | null;
  totalFees: number;
  /** The risk pauses (daily loss limit, losing streak), in order. */
  riskPauses: BacktestPause[];
  /** Mean of the trades' riskShare: riskPerTrade, unless a cap bound their size (see sizedBy). */
  meanRiskShare: number | null;
  /** How many trades each rule sized: the risk per trade, the free balance, or the slot cap. */
  sizedBy: Record<SizedBy, number>;
  /** Why a metric above is null, by its name. */
  unavailable: Partial<
    Record<'sharpe' | 'sortino' | 'winRate' | 'profitFactor' | 'avgR' | 'meanRiskShare', string>
  >;
}

export interface BacktestResult {
  trades: BacktestTrade[];
  /** At most ~1,000 points of (candle close time, equity). */
  equity: Array<{ time: number; value: number }>;
  metrics: BacktestMetrics;
  candles: number;
}
