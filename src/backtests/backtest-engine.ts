import type { Candle } from '../market/market-types';
import { Money } from '../platform/decimal/money';
import { sizeByRisk } from '../engine/risk-sizing';
import type { PresetRisk } from '../presets/preset-config';
import type { Parameters, Signal, Strategy } from '../strategies/strategy';
import type { BookFill } from '../exchange/paper/book-walk';

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
}

/** How orders fill: the paper exchange's model (its book at that moment). */
export interface FillModel {
  ask(symbol: string, atMs: number, fallback: number): number;
  buy(symbol: string, amount: Money, atMs: number, fallback: number): BookFill[];
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
  onProgress?: (fraction: number) => void;
}

export interface BacktestTrade {
  symbol: string;
  side: 'long';
  entryTime: number;
  entryPrice: number;
  amount: number;
  stopLoss: number;
  takeProfit: number | null;
  initialRisk: number;
  exitTime: number;
  exitPrice: number;
  exitReason: 'stop_loss' | 'take_profit' | 'time_stop' | 'signal' | 'end_of_test';
  fees: number;
  pnl: number;
  r: number;
}

export interface BacktestMetrics {
  startingBalance: number;
  finalEquity: number;
  totalReturn: number;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  winRate: number | null;
  profitFactor: number | null;
  trades: number;
  wins: number;
  losses: number;
  avgR: number | null;
  totalFees: number;
}

export interface BacktestResult {
  trades: BacktestTrade[];
  /** At most ~1,000 points of (candle close time, equity). */
  equity: Array<{ time: number; value: number }>;
  metrics: BacktestMetrics;
  candles: number;
}

interface Position {
  entryTime: number;
  entryPrice: number;
  amount: number;
  cost: number;
  entryFee: number;
  stopLoss: number;
  takeProfit: number | null;
  initialRisk: number;
}

const EQUITY_POINTS = 1000;
const YEAR_MS = 365 * 86_400_000;

/**
 * Replays candles through the strategy's streams with the engine's rules: signals on closed candles,
 * entries sized by sizeByRisk in free slots at the paper book's ask, exits at the stop or target when
 * a candle reaches it (the stop first when both do), by time stop, by a sell signal, or at the end.
 */
export function runBacktest(symbols: readonly BacktestSymbol[], settings: BacktestSettings): BacktestResult {
  const { span, risk, takerFee } = settings;
  const streams = symbols.map(() => settings.strategy.stream(settings.params));
  const pointers = new Int32Array(symbols.length);
  const positions: Array<Position | null> = symbols.map(() => null);
  const lastClose = new Float64Array(symbols.length);
  const trades: BacktestTrade[] = [];
  let cash = settings.startingBalance;
  let totalFees = 0;
  let candles = 0;
  let open = 0;

  const start = Math.min(...symbols.map((entry) => entry.candles[0]?.openTime ?? Infinity));
  const steps = Math.max(1, Math.ceil((settings.to - settings.from) / span));
  const equityEvery = Math.max(1, Math.floor(steps / EQUITY_POINTS));
  const equity: Array<{ time: number; value: number }> = [];
  let previousValue = settings.startingBalance;
  let peak = settings.startingBalance;
  let maxDrawdown = 0;
  let returns = 0;
  let returnSum = 0;
  let returnSquares = 0;
  let downsideSquares = 0;

  const close = (index: number, time: number, price: number, reason: BacktestTrade['exitReason']) => {
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
      stopLoss: position.stopLoss,
      takeProfit: position.takeProfit,
      initialRisk: position.initialRisk,
      exitTime: time,
      exitPrice: price,
      exitReason: reason,
      fees: position.entryFee + fee,
      pnl,
      r: position.initialRisk > 0 ? pnl / position.initialRisk : 0,
    });
    positions[index] = null;
    open--;
  };

  const signals: Array<{ index: number; signal: Signal }> = [];
  if (!Number.isFinite(start)) return finish();
  let step = 0;
  for (let time = start; time < settings.to; time += span) {
    const acting = time >= settings.from;
    signals.length = 0;
    for (let index = 0; index < symbols.length; index++) {
      const series = symbols[index].candles;
      const pointer = pointers[index];
      if (pointer >= series.length || series[pointer].openTime !== time) continue;
      const candle = series[pointer];
      pointers[index] = pointer + 1;
      candles++;
      lastClose[index] = candle.close;
      const signal = streams[index].next(candle);
      if (!acting) continue;
      const position = positions[index];
      const closeTime = time + span;
      if (position) {
        if (candle.low <= position.stopLoss)
          close(index, closeTime, Math.min(position.stopLoss, candle.open), 'stop_loss');
        else if (position.takeProfit !== null && candle.high >= position.takeProfit)
          close(index, closeTime, Math.max(position.takeProfit, candle.open), 'take_profit');
        else if (closeTime - position.entryTime >= risk.maxHoldMinutes * 60_000)
          close(index, closeTime, candle.close, 'time_stop');
        else if (signal.action === 'sell') close(index, closeTime, candle.close, 'signal');
        else if (risk.trailingStopR !== null) {
          const unit = position.initialRisk / position.amount;
          if (candle.close - position.entryPrice >= risk.trailingStopR * unit)
            position.stopLoss = Math.max(position.stopLoss, candle.close - risk.trailingStopR * unit);
        }
      } else if (signal.action === 'buy' && signal.stopLoss !== undefined) signals.push({ index, signal });
    }
    if (acting && signals.length > 0 && open < risk.maxConcurrentPositions) enter(time + span);
    if (acting) {
      let value = cash;
      for (let index = 0; index < symbols.length; index++) {
        const position = positions[index];
        if (position) value += position.amount * lastClose[index];
      }
      if (step % equityEvery === 0) equity.push({ time: time + span, value });
      const change = previousValue > 0 ? value / previousValue - 1 : 0;
      returns++;
      returnSum += change;
      returnSquares += change * change;
      if (change < 0) downsideSquares += change * change;
      previousValue = value;
      peak = Math.max(peak, value);
      maxDrawdown = Math.max(maxDrawdown, peak > 0 ? (peak - value) / peak : 0);
      step++;
      if (settings.onProgress && step % 5000 === 0) settings.onProgress(step / steps);
    }
  }
  const endTime = settings.to;
  for (let index = 0; index < symbols.length; index++)
    if (positions[index]) close(index, endTime, lastClose[index], 'end_of_test');
  equity.push({ time: endTime, value: cash });
  return finish();

  function enter(atMs: number): void {
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
      const ask = settings.fills.ask(symbol, atMs, lastClose[index]);
      if (signal.stopLoss! >= ask) continue;
      const sizing = sizeByRisk({
        equity: equityNow,
        riskPerTrade: risk.riskPerTrade,
        entry: ask,
        stopLoss: signal.stopLoss!,
        available,
        maxNotional: equityNow / risk.maxConcurrentPositions,
        feeRate: takerFee,
        stepSize: market.amountStep,
        minAmount: market.minAmount,
        minNotional: market.minNotional,
      });
      if (!sizing.ok) continue;
      const fills = settings.fills.buy(symbol, new Money(sizing.amount), atMs, lastClose[index]);
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
        entryTime: atMs,
        entryPrice,
        amount: amountValue,
        cost: costValue,
        entryFee: fee,
        stopLoss: signal.stopLoss!,
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
    const downside = returns > 0 ? Math.sqrt(downsideSquares / returns) : 0;
    return {
      trades,
      equity,
      candles,
      metrics: {
        startingBalance: settings.startingBalance,
        finalEquity: cash,
        totalReturn: (cash - settings.startingBalance) / settings.startingBalance,
        sharpe: variance > 0 ? (mean / Math.sqrt(variance)) * Math.sqrt(perYear) : null,
        sortino: downside > 0 ? (mean / downside) * Math.sqrt(perYear) : null,
        maxDrawdown,
        winRate: trades.length > 0 ? wins.length / trades.length : null,
        profitFactor: lossSum > 0 ? gains / lossSum : null,
        trades: trades.length,
        wins: wins.length,
        losses: lossesList.length,
        avgR: trades.length > 0 ? trades.reduce((sum, trade) => sum + trade.r, 0) / trades.length : null,
        totalFees,
      },
    };
  }
}
