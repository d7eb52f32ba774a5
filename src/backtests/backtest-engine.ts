import type { BacktestResult, BacktestSettings, BacktestSymbol, BacktestTrade } from './backtest-types';
import { Money } from '../platform/decimal/money';
import { SizedBy, sizeByRisk } from '../engine/risk-sizing';
import { atCandleClose, HeldPosition, levelReached } from '../trading/exit-policy';
import type { Signal } from '../strategies/strategy';
import type { BookFill } from '../exchange/paper/book-walk';
import { ExitTiming, RiskPauses } from './backtest-risk-pauses';
import { ScannerReplay } from './backtest-scanner-replay';

// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

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

  /**
   * `how`: at a stop or target the market reached during the candle, at the second the path says
   * (`touch`) or at the candle's close where the path is not known (`in_candle`); or at the close, by
   * the exit policy (`at_close`).
   */
  const close = (
    index: number,
    time: number,
    price: number,
    reason: BacktestTrade['exitReason'],
    how: ExitTiming,
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
      exitedInCandle: how !== 'at_close',
      fees: position.entryFee + fee,
      pnl,
      r: position.initialRisk > 0 ? pnl / position.initialRisk : 0,
    });
    positions[index] = null;
    open--;
    riskPauses.closed(how, time, pnl, position.initialRisk > 0 ? pnl / position.initialRisk : 0);
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
      let soldAtClose = false;
      if (position) {
        const level = levelReached(position, candle.low, candle.high);
        const touch = level
          ? settings.fills.firstTouch?.(
              symbols[index].symbol,
              time,
              closeTime,
              position.stopLoss,
              position.takeProfit,
            )
          : null;
        if (touch) {
          // The path says when and which: the trade guard sells at that second, into that second's book.
          const reason = touch.side === 'below' ? 'stop_loss' : 'take_profit';
          close(index, touch.atMs, sellPrice(index, touch.atMs, candle.close), reason, 'touch');
        } else if (level === 'stop_loss' && touch === undefined)
          // A gap through the level trades at the open.
          close(
            index,
            closeTime,
            levelSellPrice(index, closeTime, math.min(position.stopLoss, candle.open)),
            level,
            'in_candle',
          );
        else if (level === 'take_profit' && touch === undefined)
          close(
            index,
            closeTime,
            levelSellPrice(index, closeTime, math.max(position.takeProfit!, candle.open)),
            level,
            'in_candle',
          );
        else {
          const decision = atCandleClose(
            position,
            { closeTime, close: candle.close, high: candle.high },
            signal.action === 'sell',
            risk,
            2 * takerFee + settings.fills.spread(symbols[index].symbol, closeTime),
          );
          if (decision.exit) {
            close(index, closeTime, sellPrice(index, closeTime, actPrice[index]), decision.exit, 'at_close');
            soldAtClose = true;
          } else if (decision.trailTo !== null) position.stopLoss = decision.trailTo;
        }
      }
      // Sold during the candle (or never held): at the close the bot holds nothing here, and may enter;
      // not where it sells at this close (its slot is free for another symbol).
      if (!positions[index] && !soldAtClose && signal.action === 'buy' && signal.stopLoss !== undefined)
        signals.push({ index, signal });
    }
    const entering = acting && riskPauses.allowsEntries(time + span);
    // As a bot: it scans when due, and only while it may enter.
    if (entering && scans) scans.at(time + span, pointers);
    // Not at the end of the test: what it bought there it would sell at once.
    if (entering && signals.length > 0 && open < risk.maxConcurrentPositions && time + span < settings.to)
      enter(time + span);
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
    if (positions[index])
      close(index, endTime, sellPrice(index, endTime, lastClose[index]), 'end_of_test', 'at_close');
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
      // As the bot plans its entries before it sends them: its estimate, not the fill, leaves the balance.
      available -= sizing.notional * (1 + takerFee);
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
