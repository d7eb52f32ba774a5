import { Injectable } from '@nestjs/common';
import { requireSymbol } from '../market/symbols';
import { Clock } from '../platform/time/clock';
import {
  annualVolatility,
  cagr,
  calmarRatio,
  drawdownOf,
  mean,
  profitFactor,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
} from './analytics-math';
import { AnalyticsScope, AnalyticsScopes } from './analytics-scopes';
import type { PerformanceDto, PerformanceQueryDto, SymbolPerformanceDto } from './dto/performance.dto';
import { EquityHistory } from './equity-history.service';
import { TradeStatistics, LedgerTrade } from '../trading/trade-statistics.repository';

const DAY_MS = 86_400_000;
type Period = NonNullable<PerformanceQueryDto['period']>;
const PERIOD_DAYS: Record<Exclude<Period, 'all'>, number> = {
  '1d': 1,
  '7d': 7,
  '30d': 30,
  '90d': 90,
  '1y': 365,
};

const round = (value: number | null, digits = 8) =>
  value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * GET /api/analytics/performance: the equity-based metrics from the scope's daily closes (a bot's or
 * an account's; none per symbol or for every trade at once) and the trade metrics from its ledger,
 * each null with its reason where the period has too little data.
 */
@Injectable()
export class PerformanceReport {
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
    const trades = await this.ledger.closedTrades(scope.ledger, new Date(from), new Date(to), symbol);
    return {
      period,
      scope: scope.label,
      symbol: symbol ?? null,
      from: new Date(period === 'all' ? (trades[0]?.closedAt ?? to) : from).toISOString(),
      to: new Date(to).toISOString(),
      ...equity,
      ...tradeMetrics(trades, unavailable),
      unavailable,
    };
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

/** Freqtrade-like trade statistics of the closed trades, and the per-symbol breakdown. */
export function tradeMetrics(trades: readonly LedgerTrade[], unavailable: Record<string, string>) {
  const pnls = trades.map((trade) => trade.pnl);
  const wins = trades.filter((trade) => trade.pnl > 0);
  const losses = trades.filter((trade) => trade.pnl < 0);
  const withR = trades.filter((trade) => trade.r !== null);
  const none = 'no trade closed in the period';
  if (trades.length === 0)
    for (const field of ['winRate', 'expectancy', 'bestTrade', 'worstTrade', 'avgDurationMinutes'])
      unavailable[field] = none;
  if (withR.length === 0) {
    unavailable.avgR = trades.length ? 'no closed trade had a stop (R needs one)' : none;
    unavailable.expectancyR = unavailable.avgR;
  }
  if (wins.length === 0) unavailable.averageWin = trades.length ? 'no winning trade' : none;
  if (losses.length === 0) {
    unavailable.averageLoss = trades.length ? 'no losing trade' : none;
    unavailable.profitFactor = trades.length ? 'no losing trade' : none;
  }
  const bySymbol = new Map<string, LedgerTrade[]>();
  for (const trade of trades) bySymbol.set(trade.symbol, [...(bySymbol.get(trade.symbol) ?? []), trade]);
  const sum = (rows: readonly LedgerTrade[], pick: (trade: LedgerTrade) => number) =>
    rows.reduce((total, trade) => total + pick(trade), 0);
  const symbols: SymbolPerformanceDto[] = [...bySymbol.entries()]
    .map(([symbol, rows]) => {
      const cost = sum(rows, (trade) => trade.entryCost);
      const pnl = sum(rows, (trade) => trade.pnl);
      return {
        symbol,
        trades: rows.length,
        pnl: round(pnl)!,
        pnlPercent: cost > 0 ? round((pnl / cost) * 100, 6)! : 0,
        winRate: round(rows.filter((trade) => trade.pnl > 0).length / rows.length)!,
      };
    })
    .sort((a, b) => b.pnl - a.pnl);
  return {
    totalTrades: trades.length,
    winningTrades: wins.length,
    losingTrades: losses.length,
    winRate: trades.length ? round(wins.length / trades.length) : null,
    profitFactor: round(profitFactor(pnls)),
    expectancy: round(mean(pnls)),
    expectancyR: round(mean(withR.map((trade) => trade.r!))),
    avgR: round(mean(withR.map((trade) => trade.r!))),
    averageWin: round(mean(wins.map((trade) => trade.pnl))),
    averageLoss: round(mean(losses.map((trade) => trade.pnl))),
    bestTrade: trades.length ? round(Math.max(...pnls)) : null,
    worstTrade: trades.length ? round(Math.min(...pnls)) : null,
    avgDurationMinutes: round(mean(trades.map((trade) => trade.durationMs / 60_000)), 4),
    realizedPnl: round(sum(trades, (trade) => trade.pnl))!,
    totalFees: round(sum(trades, (trade) => trade.fees))!,
    tradingVolume: round(sum(trades, (trade) => trade.entryCost + trade.exitCost))!,
    bySymbol: symbols,
  };
}
