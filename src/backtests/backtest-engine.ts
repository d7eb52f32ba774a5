import type { Candle } from '../market/market-types';
import { Money } from '../platform/decimal/money';
import type { RiskPause } from '../engine/risk-manager';
import { SizedBy, sizeByRisk } from '../engine/risk-sizing';
import { atCandleClose, HeldPosition, levelReached } from '../trading/exit-policy';
import type { PresetRisk, ScannerConfig } from '../presets/preset-config';
import type { Parameters, Signal, Strategy } from '../strategies/strategy';
import type { BookFill } from '../exchange/paper/book-walk';
import { RiskPauses } from './backtest-risk-pauses';
import { ScannerReplay } from './backtest-scanner-replay';

// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

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

interface Position extends HeldPosition {
  stopLoss: number;
  initialStop: number;
  riskShare: number;
  sizedBy: SizedBy;
  cost: number;
  entryFee: number;
}

const EQUITY_POINTS = 1000;
/** Replay time between two checkpoints. */
const CHECKPOINT_MS = 100;
const YEAR_MS = 365 * 86_400_000;

/**
 * Replays candles through the strategy's streams with the engine's rules: signals on closed candles,
 * entries sized by sizeByRisk in free slots at the paper book's ask, and the bots' exit policy: at the
 * stop or target when a candle reaches it (the stop first when both do), else at the candle's close by
 * time stop or sell signal (a market sell), else the trailing stop moves; what is open at the end is
 * sold at the last close. The bots' risk limits pause entries as they pause a bot (RiskPauses).
 */
export async function runBacktest(
  symbols: readonly BacktestSymbol[],
  settings: BacktestSettings,
): Promise<BacktestResult> {
  const { span, risk, takerFee } = settings;
  const streams = symbols.map(() => settings.strategy.stream(settings.params));
  const pointers = new Int32Array(symbols.length);
  const positions: Array<Position | null> = symbols.map(() => null);
  const lastClose = new Float64Array(symbols.length);
  const lastLow = new Float64Array(symbols.length);
  /** The price a bot acting at this close trades at on candles without a book: the next candle's open. */
  const actPrice = new Float64Array(symbols.length);
  const trades: BacktestTrade[] = [];
  let cash = settings.startingBalance;
  let totalFees = 0;
  let candles = 0;
  let open = 0;
  const riskPauses = new RiskPauses(risk);
  const scans = settings.scanner ? new ScannerReplay(symbols, settings.scanner, span) : null;

  const start = math.min(...symbols.map((entry) => entry.candles[0]?.openTime ?? Infinity));
  const steps = math.max(1, math.ceil((settings.to - settings.from) / span));
  const equityEvery = math.max(1, math.floor(steps / EQUITY_POINTS));
  const equity: Array<{ time: number; value: number }> = [];
  let previousValue = settings.startingBalance;
  let peak = settings.startingBalance;
  let maxDrawdown = 0;
  let returns = 0;
  let returnSum = 0;
  let returnSquares = 0;
  let downsideSquares = 0;

  /** `duringCandle`: a stop or target the market reached in the candle (the guard's exit), not at its close. */
  const close = (
    index: number,
    time: number,
    price: number,
    reason: BacktestTrade['exitReason'],
    duringCandle = false,
  ) => {
    const position = positions[index]!;
    const proceeds = price * position.amount;
    const fee = proceeds * takerFee;
    cash += proceeds - fee;
    totalFees += fee;
    const pnl = proceeds - fee - position.cost - position.entryFee;
    trades.push({
      symbol: symbols[index].symbol,
      side: 'long',
      entryTime: position.entryTime,
      entryPrice: position.entryPrice,
      amount: position.amount,
      stopLoss: position.initialStop,
      finalStopLoss: position.stopLoss,
      takeProfit: position.takeProfit,
      initialRisk: position.initialRisk,
      riskShare: position.riskShare,
      sizedBy: position.sizedBy,
      exitTime: time,
      exitPrice: price,
      exitReason: reason,
      exitedInCandle: duringCandle,
      fees: position.entryFee + fee,
      pnl,
      r: position.initialRisk > 0 ? pnl / position.initialRisk : 0,
    });
    positions[index] = null;
    open--;
    riskPauses.closed(duringCandle, time, pnl, position.initialRisk > 0 ? pnl / position.initialRisk : 0);
  };

  const signals: Array<{ index: number; signal: Signal }> = [];
  if (!Number.isFinite(start)) return finish();
  let step = 0;
  let lastCheckpoint = performance.now();
  for (let time = start; time < settings.to; time += span) {
    if (
      settings.checkpoint &&
      (time / span) % 256 === 0 &&
      performance.now() - lastCheckpoint >= CHECKPOINT_MS
    ) {
      await settings.checkpoint(step / steps);
      lastCheckpoint = performance.now();
    }
    const acting = time >= settings.from;
    riskPauses.nextCandle();
    signals.length = 0;
    for (let index = 0; index < symbols.length; index++) {
      const series = symbols[index].candles;
      const pointer = pointers[index];
      if (pointer >= series.length || series[pointer].openTime !== time) continue;
      const candle = series[pointer];
      pointers[index] = pointer + 1;
      candles++;
      lastClose[index] = candle.close;
      lastLow[index] = candle.low;
      const next = series[pointer + 1];
      actPrice[index] = next !== undefined && next.openTime === time + span ? next.open : candle.close;
      const signal = streams[index].next(candle);
      if (!acting) continue;
      const position = positions[index];
      const closeTime = time + span;
      if (position) {
        const level = levelReached(position, candle.low, candle.high);
        // A gap through the level trades at the open.
        if (level === 'stop_loss')
          close(
            index,
            closeTime,
            levelSellPrice(index, closeTime, math.min(position.stopLoss, candle.open)),
            level,
            true,
          );
        else if (level === 'take_profit')
          close(
            index,
            closeTime,
            levelSellPrice(index, closeTime, math.max(position.takeProfit!, candle.open)),
            level,
            true,
          );
        else {
          const decision = atCandleClose(
            position,
            { closeTime, close: candle.close, high: candle.high },
            signal.action === 'sell',
            risk,
            2 * takerFee + settings.fills.spread(symbols[index].symbol, closeTime),
          );
          if (decision.exit)
            close(index, closeTime, sellPrice(index, closeTime, actPrice[index]), decision.exit);
          else if (decision.trailTo !== null) position.stopLoss = decision.trailTo;
        }
      } else if (signal.action === 'buy' && signal.stopLoss !== undefined) signals.push({ index, signal });
    }
    const entering = acting && riskPauses.allowsEntries(time + span);
    // As a bot: it scans when due, and only while it may enter.
    if (entering && scans) scans.at(time + span, pointers);
    if (entering && signals.length > 0 && open < risk.maxConcurrentPositions) enter(time + span);
    if (acting) {
      let value = cash;
      let lowest = cash;
      for (let index = 0; index < symbols.length; index++) {
        const position = positions[index];
        if (!position) continue;
        value += position.amount * lastClose[index];
        lowest += position.amount * lastLow[index];
      }
      if (step % equityEvery === 0) equity.push({ time: time + span, value });
      const change = previousValue > 0 ? value / previousValue - 1 : 0;
      returns++;
      returnSum += change;
      returnSquares += change * change;
      if (change < 0) downsideSquares += change * change;
      previousValue = value;
      // The candle's lows fall from the peak before its close; a new peak at its close counts from then.
      if (peak > 0) maxDrawdown = math.max(maxDrawdown, (peak - lowest) / peak);
      peak = math.max(peak, value);
      step++;
    }
  }
  const endTime = settings.to;
  for (let index = 0; index < symbols.length; index++)
    if (positions[index]) close(index, endTime, sellPrice(index, endTime, lastClose[index]), 'end_of_test');
  equity.push({ time: endTime, value: cash });
  return finish();

  /** The average price a market sell of the whole position gets at that moment. */
  function sellPrice(index: number, atMs: number, price: number): number {
    const position = positions[index]!;
    return averagePrice(
      settings.fills.sell(symbols[index].symbol, new Money(position.amount), atMs, price),
      price,
    );
  }

  /** The average price the market sell after a stop or target at `level` gets. */
  function levelSellPrice(index: number, atMs: number, level: number): number {
    const position = positions[index]!;
    return averagePrice(
      settings.fills.sellAtLevel(symbols[index].symbol, new Money(position.amount), atMs, level),
      level,
    );
  }

  function enter(atMs: number): void {
    if (scans) {
      // The scan's candidates, best first.
      const kept = signals.filter(({ index }) => scans.rankOf(index) !== undefined);
      kept.sort((a, b) => scans.rankOf(a.index)! - scans.rankOf(b.index)!);
      signals.length = 0;
      signals.push(...kept);
    } else
      signals.sort(
        (a, b) =>
          b.signal.confidence - a.signal.confidence ||
          symbols[a.index].symbol.localeCompare(symbols[b.index].symbol),
      );
    let equityNow = cash;
    for (let index = 0; index < symbols.length; index++) {
      const position = positions[index];
      if (position) equityNow += position.amount * lastClose[index];
    }
    let available = cash * (1 - settings.slippageReserve);
    for (const { index, signal } of signals) {
      if (open >= risk.maxConcurrentPositions) break;
      const { symbol, market } = symbols[index];
      const ask = settings.fills.ask(symbol, atMs, actPrice[index]);
      if (signal.stopLoss! >= ask) continue;
      const sizing = sizeByRisk({
        equity: equityNow,
        riskPerTrade: risk.riskPerTrade,
        entry: ask,
        stopLoss: signal.stopLoss!,
        available,
        maxNotional: equityNow / risk.maxConcurrentPositions,
        feeRate: takerFee,
        spread: settings.fills.spread(symbol, atMs),
        stepSize: market.amountStep,
        minAmount: market.minAmount,
        minNotional: market.minNotional,
      });
      if (!sizing.ok) continue;
      const fills = settings.fills.buy(symbol, new Money(sizing.amount), atMs, actPrice[index]);
      let cost = new Money(0);
      let amount = new Money(0);
      for (const fill of fills) {
        cost = cost.plus(fill.price.times(fill.amount));
        amount = amount.plus(fill.amount);
      }
      const costValue = cost.toNumber();
      const fee = costValue * takerFee;
      if (costValue + fee > cash) continue;
      const amountValue = amount.toNumber();
      const entryPrice = costValue / amountValue;
      cash -= costValue + fee;
      totalFees += fee;
      available -= costValue + fee;
      positions[index] = {
        side: 'long',
        entryTime: atMs,
        entryPrice,
        amount: amountValue,
        cost: costValue,
        entryFee: fee,
        stopLoss: signal.stopLoss!,
        initialStop: signal.stopLoss!,
        riskShare: sizing.riskShare,
        sizedBy: sizing.sizedBy,
        takeProfit: signal.takeProfit ?? null,
        initialRisk: (entryPrice - signal.stopLoss!) * amountValue,
      };
      open++;
    }
  }

  function finish(): BacktestResult {
    const wins = trades.filter((trade) => trade.pnl > 0);
    const lossesList = trades.filter((trade) => trade.pnl < 0);
    const gains = wins.reduce((sum, trade) => sum + trade.pnl, 0);
    const lossSum = lossesList.reduce((sum, trade) => sum - trade.pnl, 0);
    const perYear = YEAR_MS / span;
    const mean = returns > 0 ? returnSum / returns : 0;
    const variance = returns > 1 ? (returnSquares - returns * mean * mean) / (returns - 1) : 0;
    const downside = returns > 0 ? math.sqrt(downsideSquares / returns) : 0;
    return {
      trades,
      equity,
      candles,
      metrics: {
        startingBalance: settings.startingBalance,
        finalEquity: cash,
        totalReturn: (cash - settings.startingBalance) / settings.startingBalance,
        sharpe: variance > 0 ? (mean / math.sqrt(variance)) * math.sqrt(perYear) : null,
        sortino: downside > 0 ? (mean / downside) * math.sqrt(perYear) : null,
        maxDrawdown,
        winRate: trades.length > 0 ? wins.length / trades.length : null,
        profitFactor: lossSum > 0 ? gains / lossSum : null,
        trades: trades.length,
        wins: wins.length,
        losses: lossesList.length,
        avgR: trades.length > 0 ? trades.reduce((sum, trade) => sum + trade.r, 0) / trades.length : null,
        totalFees,
        riskPauses: riskPauses.pauses,
        meanRiskShare:
          trades.length > 0 ? trades.reduce((sum, trade) => sum + trade.riskShare, 0) / trades.length : null,
        sizedBy: {
          risk: trades.filter((trade) => trade.sizedBy === 'risk').length,
          cash: trades.filter((trade) => trade.sizedBy === 'cash').length,
          slot: trades.filter((trade) => trade.sizedBy === 'slot').length,
        },
        unavailable: {
          ...(variance > 0 ? {} : { sharpe: returns > 1 ? 'equity never changed' : 'fewer than 2 candles' }),
          ...(downside > 0 ? {} : { sortino: 'no candle lost equity' }),
          ...(trades.length > 0
            ? {}
            : { winRate: 'no trades', avgR: 'no trades', meanRiskShare: 'no trades' }),
          ...(lossSum > 0 ? {} : { profitFactor: trades.length > 0 ? 'no losing trades' : 'no trades' }),
        },
      },
    };
  }
}

function averagePrice(fills: readonly BookFill[], fallback: number): number {
  let proceeds = 0;
  let amount = 0;
  for (const fill of fills) {
    proceeds += fill.price.toNumber() * fill.amount.toNumber();
    amount += fill.amount.toNumber();
  }
  return amount > 0 ? proceeds / amount : fallback;
}
