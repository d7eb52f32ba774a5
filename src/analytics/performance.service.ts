import { Injectable } from '@nestjs/common';
import { requireSymbol } from '../market/symbols';
import { Clock } from '../platform/time/clock';
import {
  annualVolatility,
  cagr,
  calmarRatio,
  drawdownOf,
  expectancy,
  profitFactor,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
} from './analytics-math';
import { AnalyticsScope, AnalyticsScopes } from './analytics-scopes';
import type { PerformanceDto, PerformanceQueryDto, SymbolPerformanceDto } from './dto/performance.dto';
import { EquityHistory } from './equity-history.service';
import { ClosedSummary, StreakScan, TradeStatistics } from '../trading/trade-statistics.repository';
import { continueStreakScan } from './streak-scan';

const DAY_MS = 86_400_000;
type Period = NonNullable<PerformanceQueryDto['period']>;
const PERIOD_DAYS: Record<Exclude<Period, 'all'>, number> = {
  '1d': 1,
  '7d': 7,
  '30d': 30,
  '90d': 90,
  '1y': 365,
};

/** Questions whose streaks are kept (the oldest asked goes first). */
const STREAK_MEMO_SIZE = 500;

/** Two sums of the same trades added in another order agree to within float error. */
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

const round = (value: number | null, digits = 8) =>
  value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * GET /api/analytics/performance: the equity-based metrics from the scope's daily closes (a bot's or
 * an account's; none per symbol or for every trade at once) and the trade metrics from its ledger,
 * each null with its reason where the period has too little data.
 */
@Injectable()
export class PerformanceReport {
  private readonly streaks = new Map<string, { fingerprint: string; first: number; scan: StreakScan }>();

  constructor(
    private readonly scopes: AnalyticsScopes,
    private readonly equity: EquityHistory,
    private readonly ledger: TradeStatistics,
    private readonly clock: Clock,
  ) {}

  async performance(query: PerformanceQueryDto): Promise<PerformanceDto> {
    const scope = await this.scopes.resolve(query);
    const symbol = query.symbol ? requireSymbol(query.symbol) : undefined;
    const period: Period = query.period ?? '30d';
    const to = this.clock.nowMs();
    const from = period === 'all' ? 0 : to - PERIOD_DAYS[period] * DAY_MS;
    const unavailable: Record<string, string> = {};
    const equity = await this.equityMetrics(scope, from, to, symbol, unavailable);
    const closed = await this.ledger.closedBySymbol(scope.ledger, new Date(from), new Date(to), symbol);
    const streaks = await this.streaksOf(scope, period, symbol, closed, from, to);
    return {
      period,
      scope: scope.label,
      symbol: symbol ?? null,
      from: new Date(period === 'all' ? ((await this.equity.firstTime(scope)) ?? 0) : from).toISOString(),
      to: new Date(to).toISOString(),
      ...equity,
      ...tradeMetrics(closed, unavailable),
      consecutiveWins: streaks.wins,
      consecutiveLosses: streaks.losses,
      maxDrawdownR: round(streaks.maxDrawdownR)!,
      unavailable,
    };
  }

  /**
   * The streaks and R drawdown need the trades in closing order, the one costly read here, so the scan is
   * kept per question: on an unchanged ledger (count, sums, first and last closing time) it answers as is;
   * when trades closed after its last one and nothing else changed (the counts and sums add up, the first
   * close is the same), only those are read and the scan carried on; otherwise it is read again whole.
   */
  private async streaksOf(
    scope: AnalyticsScope,
    period: Period,
    symbol: string | undefined,
    closed: readonly ClosedSummary[],
    from: number,
    to: number,
  ): Promise<StreakScan> {
    const key = `${scope.label}|${period}|${symbol ?? ''}`;
    const sum = (field: 'trades' | 'pnl' | 'rSum' | 'fees') =>
      closed.reduce((total, row) => total + row[field], 0);
    const ledger = {
      count: sum('trades'),
      pnl: sum('pnl'),
      rSum: sum('rSum'),
      first: Math.min(...closed.map((row) => row.firstClosedAt)),
    };
    const fingerprint = JSON.stringify([
      ledger,
      sum('fees'),
      Math.max(...closed.map((row) => row.lastClosedAt)),
    ]);
    const known = this.streaks.get(key);
    if (known?.fingerprint === fingerprint) return known.scan;
    let scan: StreakScan | undefined;
    if (known?.scan.last && known.first === ledger.first && known.scan.count < ledger.count) {
      const tail = await this.ledger.closedAfter(
        scope.ledger,
        known.scan.last,
        new Date(from),
        new Date(to),
        symbol,
      );
      const carried = continueStreakScan(known.scan, tail);
      if (
        carried.count === ledger.count &&
        near(carried.pnl, ledger.pnl) &&
        near(carried.cumulativeR, ledger.rSum)
      )
        scan = carried;
    }
    scan ??= await this.ledger.closedStreaks(scope.ledger, new Date(from), new Date(to), symbol);
    this.streaks.delete(key);
    this.streaks.set(key, { fingerprint, first: ledger.first, scan });
    if (this.streaks.size > STREAK_MEMO_SIZE) this.streaks.delete(this.streaks.keys().next().value!);
    return scan;
  }

  private async equityMetrics(
    scope: AnalyticsScope,
    from: number,
    to: number,
    symbol: string | undefined,
    unavailable: Record<string, string>,
  ) {
    const fields = [
      'totalReturn',
      'cagr',
      'volatility',
      'sharpeRatio',
      'sortinoRatio',
      'calmarRatio',
      'maxDrawdown',
      'currentDrawdown',
    ] as const;
    const empty = {
      totalReturn: null,
      cagr: null,
      volatility: null,
      sharpeRatio: null,
      sortinoRatio: null,
      calmarRatio: null,
      maxDrawdown: null,
      maxDrawdownStart: null,
      maxDrawdownTrough: null,
      maxDrawdownRecovery: null,
      currentDrawdown: null,
      dailyReturns: [],
    };
    const why = (reason: string) => {
      for (const field of fields) unavailable[field] = reason;
      return empty;
    };
    if (symbol) return why('equity is measured per bot or account, not per symbol');
    if (!scope.equity) return why('give botId or accountId: equity is measured per bot or account');
    const closes = await this.equity.dailySeries(scope, from, to);
    if (closes.length < 2) return why('fewer than 2 daily equity closes in the period');
    const values = closes.map((close) => close.value);
    const returns = simpleReturns(values);
    const growth = cagr(values[0], values[values.length - 1], returns.length);
    const drawdown = drawdownOf(closes);
    const result = {
      totalReturn: round(values[values.length - 1] / values[0] - 1),
      cagr: round(growth),
      volatility: round(annualVolatility(returns)),
      sharpeRatio: round(sharpeRatio(returns)),
      sortinoRatio: round(sortinoRatio(returns)),
      calmarRatio: round(calmarRatio(growth, drawdown.maxDrawdown)),
      maxDrawdown: round(drawdown.maxDrawdown),
      maxDrawdownStart: isoOrNull(drawdown.peakAt),
      maxDrawdownTrough: isoOrNull(drawdown.troughAt),
      maxDrawdownRecovery: isoOrNull(drawdown.recoveredAt),
      currentDrawdown: round(drawdown.currentDrawdown),
      dailyReturns: closes.slice(1).map((close, index) => ({
        date: new Date(close.time).toISOString().slice(0, 10),
        return: round(returns[index])!,
      })),
    };
    if (returns.length < 2) {
      for (const field of ['volatility', 'sharpeRatio', 'sortinoRatio'] as const)
        unavailable[field] = 'fewer than 2 daily returns in the period';
    } else {
      if (result.sharpeRatio === null) unavailable.sharpeRatio = 'the daily returns never varied';
      if (result.sortinoRatio === null) unavailable.sortinoRatio = 'no losing day in the period';
    }
    if (result.cagr === null) unavailable.cagr = 'no growth rate from these values';
    if (result.calmarRatio === null) unavailable.calmarRatio = 'no drawdown in the period';
    return result;
  }
}

function isoOrNull(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

/** Freqtrade-like trade statistics of the closed trades, from their per-symbol sums, and the per-symbol breakdown. */
export function tradeMetrics(bySymbol: readonly ClosedSummary[], unavailable: Record<string, string>) {
  const total = (pick: (row: ClosedSummary) => number) => bySymbol.reduce((sum, row) => sum + pick(row), 0);
  const trades = total((row) => row.trades);
  const wins = total((row) => row.wins);
  const losses = total((row) => row.losses);
  const rCount = total((row) => row.rCount);
  const grossProfit = total((row) => row.grossProfit);
  const grossLoss = total((row) => row.grossLoss);
  const pnl = total((row) => row.pnl);
  const none = 'no trade closed in the period';
  if (trades === 0)
    for (const field of ['winRate', 'expectancy', 'bestTrade', 'worstTrade', 'avgDurationMinutes'])
      unavailable[field] = none;
  if (rCount === 0) {
    unavailable.avgR = trades ? 'no closed trade had a stop (R needs one)' : none;
    unavailable.expectancyR = unavailable.avgR;
  }
  if (wins === 0) unavailable.averageWin = trades ? 'no winning trade' : none;
  if (losses === 0) {
    unavailable.averageLoss = trades ? 'no losing trade' : none;
    unavailable.profitFactor = trades ? 'no losing trade' : none;
  }
  const symbols: SymbolPerformanceDto[] = bySymbol
    .map((row) => ({
      symbol: row.symbol,
      trades: row.trades,
      pnl: round(row.pnl)!,
      pnlPercent: row.entryCost > 0 ? round((row.pnl / row.entryCost) * 100, 6)! : 0,
      winRate: round(row.wins / row.trades)!,
    }))
    .sort((a, b) => b.pnl - a.pnl || a.symbol.localeCompare(b.symbol));
  return {
    totalTrades: trades,
    winningTrades: wins,
    losingTrades: losses,
    winRate: trades ? round(wins / trades) : null,
    profitFactor: round(profitFactor(grossProfit, grossLoss)),
    expectancy: round(expectancy(pnl, trades)),
    expectancyR: round(
      expectancy(
        total((row) => row.rSum),
        rCount,
      ),
    ),
    avgR: round(
      expectancy(
        total((row) => row.rSum),
        rCount,
      ),
    ),
    averageWin: wins ? round(grossProfit / wins) : null,
    averageLoss: losses ? round(-grossLoss / losses) : null,
    bestTrade: trades ? round(Math.max(...bySymbol.map((row) => row.best))) : null,
    worstTrade: trades ? round(Math.min(...bySymbol.map((row) => row.worst))) : null,
    avgDurationMinutes: trades ? round(total((row) => row.durationMs) / trades / 60_000, 4) : null,
    realizedPnl: round(pnl)!,
    totalFees: round(total((row) => row.fees))!,
    tradingVolume: round(total((row) => row.volume))!,
    bySymbol: symbols,
  };
}
