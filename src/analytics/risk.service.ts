import { Injectable } from '@nestjs/common';
import type { ExchangePort } from '../exchange/exchange-port';
import { CandleRepository } from '../market/candle.repository';
import { MarketDataService } from '../market/market-data.service';
import type { Ticker } from '../market/market-types';
import { Clock } from '../platform/time/clock';
import { openAmount } from '../trading/trade-view';
import type { Trade } from '../trading/trade.entity';
import { TradeStatistics } from '../trading/trade-statistics.repository';
import { TradingVenues } from '../trading/trading-venues.service';
import {
  beta,
  conditionalValueAtRisk,
  correlation,
  herfindahl,
  simpleReturns,
  valueAtRisk,
} from './analytics-math';
import { AnalyticsScope, AnalyticsScopes, orDefaultAccount } from './analytics-scopes';
import type { RiskDto, RiskQueryDto } from './dto/risk.dto';
import { EquityHistory } from './equity-history.service';
import { EQUITY_CURRENCY, EquityRecorder } from './equity-recorder.service';

const DAY_MS = 86_400_000;
const BENCHMARK = 'BTC/USDT';

const round = (value: number | null, digits = 8) =>
  value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** Daily returns keyed by the day (epoch day number) they end. */
type DailyReturns = Map<number, number>;

/**
 * GET /api/analytics/risk: what a bot or an account (default: the paper account 'default') holds and
 * risks now: exposure per symbol, open risk to the stops, concentration, leverage; one-day historical
 * VaR and CVaR from its daily equity returns over the lookback window, or, when it is younger than the
 * window, from today's holdings replayed over the symbols' daily candle returns; beta to BTC/USDT and
 * the held symbols' correlations from daily candles.
 */
@Injectable()
export class RiskReport {
  constructor(
    private readonly scopes: AnalyticsScopes,
    private readonly statistics: TradeStatistics,
    private readonly venues: TradingVenues,
    private readonly recorder: EquityRecorder,
    private readonly equity: EquityHistory,
    private readonly marketData: MarketDataService,
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
  ) {}

  async risk(query: RiskQueryDto): Promise<RiskDto> {
    const scope = orDefaultAccount(await this.scopes.resolve(query));
    const lookbackDays = query.lookbackDays ?? 90;
    const now = this.clock.nowMs();
    const unavailable: Record<string, string> = {};
    const trades = await this.statistics.open(scope.ledger);
    const tickers = await this.tickersOf(trades);
    const portfolioValue = await this.portfolioValue(scope);

    const exposures = new Map<string, number>();
    let openRiskQuote = 0;
    let openRiskR = 0;
    for (const trade of trades) {
      // Marked as the position views mark it: what it would sell (a long) or buy back (a short) for.
      const ticker = tickers.get(trade.symbol);
      const price = ticker ? (trade.side === 'long' ? ticker.bid : ticker.ask) : undefined;
      if (!price) continue;
      const amount = openAmount(trade).toNumber();
      exposures.set(trade.symbol, (exposures.get(trade.symbol) ?? 0) + amount * price);
      if (trade.stopLoss === null) continue;
      const stop = Number(trade.stopLoss);
      const distance = Math.max(0, trade.side === 'long' ? price - stop : stop - price) * amount;
      openRiskQuote += distance;
      if (trade.initialRisk !== null && Number(trade.initialRisk) > 0)
        openRiskR += distance / Number(trade.initialRisk);
    }
    const held = [...exposures.keys()].sort();
    const exposed = [...exposures.values()].reduce((sum, value) => sum + value, 0);
    const symbolReturns = await this.dailyCandleReturns(
      scope.exchangeAccountId,
      [...new Set([...held, BENCHMARK])],
      now,
      lookbackDays,
    );

    // The portfolio's own daily returns when it is as old as the window, else today's holdings replayed.
    const closes = await this.equity.dailySeries(scope, now - lookbackDays * DAY_MS, now);
    let method: 'history' | 'holdings-replay' = 'history';
    let returns: DailyReturns = new Map();
    const own = simpleReturns(closes.map((close) => close.value));
    if (own.length >= lookbackDays)
      closes.slice(1).forEach((close, i) => returns.set(dayOf(close.time), own[i]));
    else {
      method = 'holdings-replay';
      returns = this.replay(exposures, portfolioValue, symbolReturns);
    }
    const series = [...returns.values()];
    if (series.length === 0)
      for (const field of ['var95', 'var99', 'cvar95', 'cvar99'])
        unavailable[field] =
          method === 'history'
            ? 'no daily equity returns yet'
            : 'no daily candles of the held symbols in the window';
    const measure = (value: number | null) => ({
      percent: round(value === null ? null : value * 100, 6),
      quote: round(value === null || portfolioValue === null ? null : value * portfolioValue, 6),
    });
    const var95 = valueAtRisk(series, 0.05);
    const benchmark = symbolReturns.get(BENCHMARK);
    const aligned = benchmark ? [...returns.entries()].filter(([day]) => benchmark.has(day)) : [];
    const portfolioBeta = beta(
      aligned.map(([, value]) => value),
      aligned.map(([day]) => benchmark!.get(day)!),
    );
    if (portfolioBeta === null)
      unavailable.beta = benchmark
        ? 'fewer than 2 days with both returns, or BTC/USDT never moved'
        : 'no BTC/USDT daily candles';
    const correlationMatrix: Record<string, Record<string, number | null>> = {};
    for (const a of held) {
      correlationMatrix[a] = {};
      for (const b of held) {
        const left = symbolReturns.get(a);
        const right = symbolReturns.get(b);
        const days = left && right ? [...left.keys()].filter((day) => right.has(day)) : [];
        correlationMatrix[a][b] = round(
          correlation(
            days.map((day) => left!.get(day)!),
            days.map((day) => right!.get(day)!),
          ),
          6,
        );
      }
    }
    const concentration = herfindahl([...exposures.values()]);
    if (concentration === null) unavailable.concentration = 'nothing held';
    if (portfolioValue === null) unavailable.portfolioValue = 'the account could not be valued now';
    return {
      scope: scope.label,
      currency: EQUITY_CURRENCY,
      portfolioValue: round(portfolioValue, 6),
      exposure: held.map((symbol) => ({
        symbol,
        value: round(exposures.get(symbol)!, 6)!,
        share: portfolioValue ? round(exposures.get(symbol)! / portfolioValue, 6) : null,
      })),
      openRisk: { quote: round(openRiskQuote, 6)!, r: round(openRiskR, 6)! },
      concentration: round(concentration, 6),
      concentrationRisk: round(concentration, 6),
      leverage: portfolioValue ? round(exposed / portfolioValue, 6) : null,
      lookbackDays,
      method,
      observations: series.length,
      var95: measure(var95),
      var99: measure(valueAtRisk(series, 0.01)),
      cvar95: measure(conditionalValueAtRisk(series, 0.05)),
      cvar99: measure(conditionalValueAtRisk(series, 0.01)),
      portfolioRisk: var95 === null ? null : -var95 < 0.02 ? 'low' : -var95 < 0.05 ? 'medium' : 'high',
      beta: round(portfolioBeta, 6),
      correlationMatrix,
      liquidityRisk: liquidityOf(exposures, tickers),
      unavailable,
    };
  }

  private async portfolioValue(scope: AnalyticsScope): Promise<number | null> {
    const { scope: kind, scopeId } = orDefaultAccount(scope).equity;
    try {
      const row = await this.recorder.measure(kind, scopeId);
      return row?.value ?? null;
    } catch {
      return null;
    }
  }

  private async tickersOf(trades: readonly Trade[]): Promise<Map<string, Ticker>> {
    const tickers = new Map<string, Ticker>();
    const exchanges = new Map<string, ExchangePort>();
    for (const trade of trades) {
      if (tickers.has(trade.symbol)) continue;
      const key = `${trade.venue}:${trade.accountId}`;
      if (!exchanges.has(key)) exchanges.set(key, await this.venues.of(trade));
      const ticker = await exchanges
        .get(key)!
        .ticker(trade.symbol)
        .catch(() => null);
      if (ticker) tickers.set(trade.symbol, ticker);
    }
    return tickers;
  }

  /** Each symbol's close-to-close daily returns over the window, from the stored daily candles. */
  private async dailyCandleReturns(
    exchangeAccountId: string | null,
    symbols: string[],
    now: number,
    days: number,
  ): Promise<Map<string, DailyReturns>> {
    const source = await this.marketData.candleSource(exchangeAccountId);
    const to = Math.floor(now / DAY_MS) * DAY_MS - DAY_MS;
    const from = to - days * DAY_MS;
    const known = symbols.filter((symbol) => source.symbols.has(symbol));
    await source.ensure(known, '1d', from, to);
    const stored = await this.candles.rangeMany(source.key, known, '1d', from, to);
    const out = new Map<string, DailyReturns>();
    for (const [symbol, candles] of stored) {
      const returns: DailyReturns = new Map();
      for (let i = 1; i < candles.length; i++)
        if (candles[i - 1].close > 0 && candles[i].openTime - candles[i - 1].openTime === DAY_MS)
          returns.set(dayOf(candles[i].openTime), candles[i].close / candles[i - 1].close - 1);
      if (returns.size > 0) out.set(symbol, returns);
    }
    return out;
  }

  /** Today's holdings over past days: Σ weight × the symbol's return, on days every held symbol has one. */
  private replay(
    exposures: Map<string, number>,
    portfolioValue: number | null,
    symbolReturns: Map<string, DailyReturns>,
  ): DailyReturns {
    const held = [...exposures.keys()];
    const out: DailyReturns = new Map();
    if (!portfolioValue || held.some((symbol) => !symbolReturns.has(symbol))) return out;
    const days = held.length
      ? [...symbolReturns.get(held[0])!.keys()].filter((day) =>
          held.every((symbol) => symbolReturns.get(symbol)!.has(day)),
        )
      : [...(symbolReturns.get(BENCHMARK)?.keys() ?? [])];
    for (const day of days)
      out.set(
        day,
        held.reduce(
          (sum, symbol) =>
            sum + (exposures.get(symbol)! / portfolioValue) * symbolReturns.get(symbol)!.get(day)!,
          0,
        ),
      );
    return out;
  }
}

function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

/** The largest position against its market's 24 h quote volume: under 0.1 % low, under 1 % medium. */
function liquidityOf(
  exposures: Map<string, number>,
  tickers: Map<string, Ticker>,
): 'low' | 'medium' | 'high' | null {
  let worst: number | null = null;
  for (const [symbol, value] of exposures) {
    const volume = tickers.get(symbol)?.quoteVolume24h;
    if (!volume) continue;
    worst = Math.max(worst ?? 0, value / volume);
  }
  if (worst === null) return exposures.size ? null : 'low';
  return worst < 0.001 ? 'low' : worst < 0.01 ? 'medium' : 'high';
}
