import type { DealStatus } from '../dca/dca-deal.entity';
import { percentInQuote } from '../dca/dca-plans.service';
import type { Candle } from '../market/market-types';
import { Money } from '../platform/decimal/money';
import type { DcaBotConfig } from '../presets/preset-config';
import type { Parameters, Strategy } from '../strategies/strategy';
import { SimulatedDeal, SimulatedDealEnd, SimulatedMarketSteps } from './dca-simulated-deal';

const math = Math;
const EQUITY_POINTS = 1000;
const CHECKPOINT_MS = 100;

export interface DcaBacktestSymbol {
  symbol: string;
  /** Candles of the timeframe, oldest first (from the warm-up on, for a signal start condition). */
  candles: readonly Candle[];
  market: SimulatedMarketSteps;
}

export interface DcaBacktestSettings {
  /** Open time of the first candle acted on. */
  from: number;
  /** End (exclusive) of the last candle. */
  to: number;
  span: number;
  dca: DcaBotConfig;
  startingBalance: number;
  takerFee: number;
  /** For the `signal` start condition: the preset's strategy, whose buy signals start deals. */
  signals?: { strategy: Strategy; params: Parameters };
  checkpoint?: (fraction: number) => Promise<void>;
}

export interface DcaBacktestDeal {
  symbol: string;
  /** Close of the candle it started at (epoch ms). */
  openedAt: number;
  /** When it ended (the close of that candle), null while still open at the end. */
  closedAt: number | null;
  status: Extract<DealStatus, 'completed' | 'stop_loss_finished' | 'bought' | 'ttp_activated'>;
  closeReason: SimulatedDealEnd | 'end_of_test';
  basePrice: number;
  averageEntry: number;
  safetyOrdersFilled: number;
  /** Base bought, and the quote it cost. */
  amount: number;
  cost: number;
  fees: number;
  /** Sells − buys − fees; a deal open at the end is valued at the last close. */
  pnl: number;
}

export interface DcaBacktestMetrics {
  startingBalance: number;
  finalEquity: number;
  totalReturn: number;
  /** Deals started, closed in the window, and still open at its end. */
  deals: number;
  closedDeals: number;
  openDeals: number;
  /** Closed deals by why they ended. */
  closedBy: Record<SimulatedDealEnd, number>;
  winRate: number | null;
  avgSafetyOrders: number | null;
  maxSafetyOrdersUsed: number;
  /** Most quote bought and held in deals at once. */
  maxCapitalInUse: number;
  longestDealMinutes: number | null;
  avgDealMinutes: number | null;
  /** Deepest fall of equity from a peak at candle closes to equity at a candle's lows (share of the peak). */
  maxDrawdown: number;
  totalPnl: number;
  totalFees: number;
  /** Deal starts skipped: the free balance could not fund the whole ladder. */
  unfundedStarts: number;
  unavailable: Partial<
    Record<'winRate' | 'avgSafetyOrders' | 'longestDealMinutes' | 'avgDealMinutes', string>
  >;
}

export interface DcaBacktestResult {
  deals: DcaBacktestDeal[];
  equity: Array<{ time: number; value: number }>;
  metrics: DcaBacktestMetrics;
  candles: number;
}

/**
 * Replays a DCA bot over candles: at each candle's close a deal starts on each free pair (one per
 * pair, up to maxActiveDeals, after the pair's cooldown) as the start condition says, when the free
 * balance funds its whole ladder; each deal then moves with the live deal's rules (SimulatedDeal).
 * The base order buys at the close; fees are the taker fee on every fill.
 */
export async function runDcaBacktest(
  symbols: readonly DcaBacktestSymbol[],
  settings: DcaBacktestSettings,
): Promise<DcaBacktestResult> {
  const { span, dca, takerFee } = settings;
  const streams = settings.signals
    ? symbols.map(() => settings.signals!.strategy.stream(settings.signals!.params))
    : null;
  const pointers = new Int32Array(symbols.length);
  const active: Array<SimulatedDeal | null> = symbols.map(() => null);
  const coolUntil = new Float64Array(symbols.length);
  const lastClose = new Float64Array(symbols.length);
  const lastLow = new Float64Array(symbols.length);
  const done: SimulatedDeal[] = [];
  /** The starting balance with the cash flows of the deals that ended. */
  let settled = settings.startingBalance;
  let running = 0;
  let candles = 0;
  let unfundedStarts = 0;
  let maxCapitalInUse = 0;
  const start = math.min(...symbols.map((entry) => entry.candles[0]?.openTime ?? Infinity));
  const steps = math.max(1, math.ceil((settings.to - settings.from) / span));
  const equityEvery = math.max(1, math.floor(steps / EQUITY_POINTS));
  const equity: Array<{ time: number; value: number }> = [];
  let peak = settings.startingBalance;
  let maxDrawdown = 0;
  let lastCheckpoint = performance.now();

  const settle = (index: number, deal: SimulatedDeal, time: number) => {
    settled += deal.cashFlow;
    done.push(deal);
    active[index] = null;
    running--;
    coolUntil[index] = time + dca.cooldownSeconds * 1000;
  };

  if (Number.isFinite(start))
    for (let time = start, step = 0; time < settings.to; time += span) {
      if (settings.checkpoint && step % 256 === 0 && performance.now() - lastCheckpoint >= CHECKPOINT_MS) {
        await settings.checkpoint(step / steps);
        lastCheckpoint = performance.now();
      }
      const acting = time >= settings.from;
      const closeTime = time + span;
      for (let index = 0; index < symbols.length; index++) {
        const series = symbols[index].candles;
        const pointer = pointers[index];
        if (pointer >= series.length || series[pointer].openTime !== time) continue;
        const candle = series[pointer];
        pointers[index] = pointer + 1;
        lastClose[index] = candle.close;
        lastLow[index] = candle.low;
        const signal = streams ? streams[index].next(candle) : null;
        if (!acting) continue;
        candles++;
        const deal = active[index];
        if (deal) {
          deal.candle(candle.open, candle.high, candle.low, candle.close, closeTime);
          if (deal.end) settle(index, deal, closeTime);
        }
        const wanted = dca.startCondition === 'asap' || signal?.action === 'buy';
        if (!wanted || active[index] || running >= dca.maxActiveDeals || closeTime < coolUntil[index])
          continue;
        // Free: the cash, less what the running deals' ladders may still buy.
        let free = settled;
        for (const other of active) if (other) free += other.cashFlow - other.stillReserved;
        const dealSettings = percentInQuote(dca.deal, new Money(math.max(0, free)));
        const opened = new SimulatedDeal(
          symbols[index].symbol,
          closeTime,
          dealSettings,
          candle.close,
          symbols[index].market,
          takerFee,
        );
        if (!opened.started) continue;
        if (opened.reserved > free) {
          unfundedStarts++;
          continue;
        }
        active[index] = opened;
        running++;
      }
      if (!acting) continue;
      let value = settled;
      let low = settled;
      let inUse = 0;
      for (let index = 0; index < symbols.length; index++) {
        const deal = active[index];
        if (!deal) continue;
        value += deal.cashFlow + deal.held * lastClose[index];
        // A deal bought at this close never held through this candle's low.
        low += deal.cashFlow + deal.held * (deal.openedAt === closeTime ? lastClose[index] : lastLow[index]);
        // What is held, at what it cost (a take-profit step sold part of it).
        inUse += deal.held * deal.average;
      }
      maxCapitalInUse = math.max(maxCapitalInUse, inUse);
      if (peak > 0) maxDrawdown = math.max(maxDrawdown, (peak - low) / peak);
      peak = math.max(peak, value);
      if (step % equityEvery === 0) equity.push({ time: closeTime, value });
      step++;
    }
  return finish();

  function finish(): DcaBacktestResult {
    const deals: DcaBacktestDeal[] = done.map((deal) => viewOf(deal, 0));
    let finalEquity = settled;
    for (let index = 0; index < symbols.length; index++) {
      const deal = active[index];
      if (!deal) continue;
      deals.push(viewOf(deal, lastClose[index]));
      finalEquity += deal.cashFlow + deal.held * lastClose[index];
    }
    deals.sort((a, b) => a.openedAt - b.openedAt);
    equity.push({ time: settings.to, value: finalEquity });
    return { deals, equity, metrics: metricsOf(deals, finalEquity), candles };
  }

  function viewOf(deal: SimulatedDeal, price: number): DcaBacktestDeal {
    const end = deal.end;
    return {
      symbol: deal.symbol,
      openedAt: deal.openedAt,
      closedAt: end?.time ?? null,
      status: end ? (end.reason === 'stop_loss' ? 'stop_loss_finished' : 'completed') : deal.status,
      closeReason: end?.reason ?? 'end_of_test',
      basePrice: deal.basePrice,
      averageEntry: deal.average,
      safetyOrdersFilled: deal.filledSafety,
      amount: deal.bought,
      cost: deal.cost,
      fees: deal.fees,
      pnl: deal.pnl(end ? 0 : price),
    };
  }

  function metricsOf(deals: DcaBacktestDeal[], finalEquity: number): DcaBacktestMetrics {
    const closed = deals.filter((deal) => deal.closedAt !== null);
    const closedBy: Record<SimulatedDealEnd, number> = {
      take_profit: 0,
      trailing_take_profit: 0,
      stop_loss: 0,
      timeout: 0,
    };
    for (const deal of closed) closedBy[deal.closeReason as SimulatedDealEnd]++;
    const minutes = deals.map((deal) => ((deal.closedAt ?? settings.to) - deal.openedAt) / 60_000);
    const unavailable: DcaBacktestMetrics['unavailable'] = {};
    if (closed.length === 0) unavailable.winRate = 'no deal closed';
    if (deals.length === 0) {
      unavailable.avgSafetyOrders = 'no deal started';
      unavailable.longestDealMinutes = 'no deal started';
      unavailable.avgDealMinutes = 'no deal started';
    }
    const round = (value: number) => Number(value.toFixed(8));
    return {
      startingBalance: settings.startingBalance,
      finalEquity: round(finalEquity),
      totalReturn: round(finalEquity / settings.startingBalance - 1),
      deals: deals.length,
      closedDeals: closed.length,
      openDeals: deals.length - closed.length,
      closedBy,
      winRate: closed.length ? round(closed.filter((deal) => deal.pnl > 0).length / closed.length) : null,
      avgSafetyOrders: deals.length
        ? round(deals.reduce((sum, deal) => sum + deal.safetyOrdersFilled, 0) / deals.length)
        : null,
      maxSafetyOrdersUsed: deals.reduce((most, deal) => math.max(most, deal.safetyOrdersFilled), 0),
      maxCapitalInUse: round(maxCapitalInUse),
      longestDealMinutes: deals.length ? math.max(...minutes) : null,
      avgDealMinutes: deals.length
        ? round(minutes.reduce((sum, value) => sum + value, 0) / deals.length)
        : null,
      maxDrawdown: round(maxDrawdown),
      totalPnl: round(closed.reduce((sum, deal) => sum + deal.pnl, 0)),
      totalFees: round(deals.reduce((sum, deal) => sum + deal.fees, 0)),
      unfundedStarts,
      unavailable,
    };
  }
}
