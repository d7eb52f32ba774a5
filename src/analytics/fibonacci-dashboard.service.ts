import { Injectable } from '@nestjs/common';
import { CandleRepository } from '../market/candle.repository';
import { MarketDataService } from '../market/market-data.service';
import type { Candle } from '../market/market-types';
import { requireSymbol } from '../market/symbols';
import { Clock } from '../platform/time/clock';
import { levelHarmony } from '../trading/fibonacci-harmony';
import type { Trade } from '../trading/trade.entity';
import { TradeStatistics } from '../trading/trade-statistics.repository';
import { openAmount, unrealizedOf } from '../trading/trade-view';
import { TradingVenues } from '../trading/trading-venues.service';
import { profitFactor } from './analytics-math';
import { AnalyticsScope, AnalyticsScopes } from './analytics-scopes';
import type {
  BioEnergyDto,
  FibonacciDto,
  FibonacciPositionDto,
  FibonacciQueryDto,
} from './dto/fibonacci.dto';
import type { AnalyticsScopeQueryDto } from './dto/equity.dto';
import {
  alignment,
  energyStateOf,
  FibSwing,
  fibonacciLevels,
  harmonicStateOf,
  latestSwing,
  marketEnergyOf,
  meanOf,
  PHI,
  placeInSwing,
  positionBalance,
  positionEnergyOf,
} from './fibonacci-dashboard-math';

const HOUR_MS = 3_600_000;
/** Hourly candles the swing is found in. */
const SWING_HOURS = 100;
/** Seed 000 caches its metrics this long. */
const CACHE_MS = 60_000;
const DEFAULT_SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

const round = (value: number | null, digits = 6) =>
  value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

interface SymbolReading {
  symbol: string;
  price: number | null;
  hours: Candle[];
  swing: FibSwing | null;
}

/**
 * Seed 000's dashboard over our own data: Fibonacci levels of each symbol's latest swing (stored
 * hourly candles), where price and positions sit in them, and the harmony, balance and energy scores
 * (fibonacci-dashboard-math says what each is made of).
 */
@Injectable()
export class FibonacciDashboard {
  private readonly cache = new Map<string, { at: number; answer: FibonacciDto }>();

  constructor(
    private readonly scopes: AnalyticsScopes,
    private readonly statistics: TradeStatistics,
    private readonly venues: TradingVenues,
    private readonly marketData: MarketDataService,
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
  ) {}

  async fibonacci(query: FibonacciQueryDto): Promise<FibonacciDto> {
    const symbol = query.symbol ? requireSymbol(query.symbol) : undefined;
    const key = JSON.stringify([symbol, query.accountId, query.botId]);
    const now = this.clock.nowMs();
    const cached = this.cache.get(key);
    if (cached && !query.refresh && now - cached.at < CACHE_MS) return cached.answer;
    const scope = await this.scopes.resolve(query);
    const open = await this.openTrades(scope);
    const symbols = symbol ? [symbol] : [...new Set(open.map((trade) => trade.symbol))];
    const readings = await this.read(scope, symbols.length ? symbols : DEFAULT_SYMBOLS, now);
    const bySymbol = new Map(readings.map((reading) => [reading.symbol, reading]));
    const positions: FibonacciPositionDto[] = [];
    let longValue = 0;
    let shortValue = 0;
    for (const trade of open) {
      const reading = bySymbol.get(trade.symbol);
      if (!reading) continue;
      const amount = openAmount(trade).toNumber();
      const entry = Number(trade.entryCost) / Number(trade.entryAmount);
      const value = amount * (reading.price ?? entry);
      if (trade.side === 'long') longValue += value;
      else shortValue += value;
      positions.push({
        symbol: trade.symbol,
        side: trade.side,
        contracts: round(amount, 10)!,
        entryPrice: round(entry, 10)!,
        currentPrice: reading.price,
        unrealizedPnl: round(unrealizedOf(trade, reading.price).toNumber(), 8)!,
        entryHarmony: round(levelHarmony(entry, reading.swing ?? undefined), 4),
        nearestLevel: reading.swing ? placeInSwing(entry, reading.swing).nearestLevel : null,
        fibonacciLevels: reading.swing ? roundLevels(fibonacciLevels(reading.swing)) : {},
      });
    }
    const closed = await this.statistics.closedBySymbol(scope.ledger, new Date(0), new Date(now));
    const sum = (pick: (row: (typeof closed)[number]) => number) =>
      closed.reduce((total, row) => total + pick(row), 0);
    const count = sum((row) => row.trades);
    const wins = sum((row) => row.wins);
    const losses = sum((row) => row.losses);
    const winRate = count ? wins / count : null;
    const factor = profitFactor(
      sum((row) => row.grossProfit),
      sum((row) => row.grossLoss),
    );
    const averageWin = wins ? sum((row) => row.grossProfit) / wins : null;
    const averageLoss = losses ? -sum((row) => row.grossLoss) / losses : null;
    const balance = positionBalance(longValue, shortValue);
    const components = {
      positionHarmony: round(meanOf(positions.map((position) => position.entryHarmony)), 4),
      winRateHarmony: round(alignment(winRate, 0.618), 4),
      profitFactorHarmony: round(alignment(factor, 2.618), 4),
      pnlDistributionHarmony: round(
        averageWin !== null && averageLoss !== null ? alignment(averageWin / -averageLoss, PHI) : null,
        4,
      ),
    };
    const harmonyScore = round(meanOf(Object.values(components)), 4);
    const aligned = sum((row) => row.fibonacciCount);
    const fibonacciAlignment = round(aligned ? sum((row) => row.fibonacciSum) / aligned : null, 4);
    const phiResonance = round(meanOf([harmonyScore, balance.balanceScore, fibonacciAlignment]), 4);
    const answer: FibonacciDto = {
      timestamp: new Date(now).toISOString(),
      cachedAt: new Date(now).toISOString(),
      scope: scope.label,
      phiResonance,
      positionBalance: {
        ...balance,
        currentRatio: round(balance.currentRatio, 4)!,
        balanceScore: round(balance.balanceScore, 4)!,
      },
      harmonicState: { harmonyScore, state: harmonicStateOf(harmonyScore), componentScores: components },
      symbols: readings.map((reading) => {
        const place =
          reading.swing && reading.price !== null ? placeInSwing(reading.price, reading.swing) : null;
        return {
          symbol: reading.symbol,
          price: reading.price,
          swing: reading.swing,
          levels: reading.swing ? roundLevels(fibonacciLevels(reading.swing)) : {},
          retracement: place ? round(place.retracement, 4) : null,
          nearestLevel: place?.nearestLevel ?? null,
          between: place?.between ?? [null, null],
          priceHarmony: round(levelHarmony(reading.price ?? 0, reading.swing ?? undefined), 4),
        };
      }),
      positions: {
        long: positions.filter((position) => position.side === 'long'),
        short: positions.filter((position) => position.side === 'short'),
      },
      performance: {
        winRate: round(winRate, 4),
        winRateTarget: 0.618,
        winRateAlignment: components.winRateHarmony,
        profitFactor: round(factor, 4),
        profitFactorTarget: 2.618,
        profitFactorAlignment: components.profitFactorHarmony,
        phiResonance,
        fibonacciAlignment,
      },
    };
    this.cache.set(key, { at: now, answer });
    return answer;
  }

  async bioEnergy(query: AnalyticsScopeQueryDto): Promise<BioEnergyDto> {
    const now = this.clock.nowMs();
    const scope = await this.scopes.resolve(query);
    const open = await this.openTrades(scope);
    const held = [...new Set(open.map((trade) => trade.symbol))];
    const readings = await this.read(scope, held.length ? held : DEFAULT_SYMBOLS, now);
    const prices = new Map(readings.map((reading) => [reading.symbol, reading.price]));
    let unrealized = 0;
    let cost = 0;
    for (const trade of open) {
      const price = prices.get(trade.symbol) ?? null;
      if (price === null || Number(trade.entryAmount) === 0) continue;
      unrealized += unrealizedOf(trade, price).toNumber();
      cost += (Number(trade.entryCost) / Number(trade.entryAmount)) * openAmount(trade).toNumber();
    }
    const symbolEnergies = readings.map((reading) => ({
      symbol: reading.symbol,
      marketEnergy: round(marketEnergyOf(reading.hours), 2),
    }));
    const marketEnergy = round(meanOf(symbolEnergies.map((row) => row.marketEnergy)), 2);
    const positionEnergy = round(positionEnergyOf(unrealized, cost), 2)!;
    const combinedEnergy = round(meanOf([marketEnergy, positionEnergy]), 2);
    const harmonies = readings.map((reading) =>
      reading.price === null ? null : levelHarmony(reading.price, reading.swing ?? undefined),
    );
    const fib = meanOf(harmonies);
    return {
      timestamp: new Date(now).toISOString(),
      scope: scope.label,
      marketEnergy,
      positionEnergy,
      combinedEnergy,
      energyState: energyStateOf(combinedEnergy),
      fibAlignment: fib === null ? null : round(fib * 100, 2),
      symbols: symbolEnergies,
      unavailable: marketEnergy === null ? { marketEnergy: 'fewer than 25 hourly candles stored' } : {},
    };
  }

  private openTrades(scope: AnalyticsScope): Promise<Trade[]> {
    return scope.ledger ? this.statistics.open(scope.ledger) : this.statistics.allOpen();
  }

  /** Each symbol's price now and its last SWING_HOURS hourly candles with their swing. */
  private async read(scope: AnalyticsScope, symbols: string[], now: number): Promise<SymbolReading[]> {
    const source = await this.marketData.candleSource(scope.exchangeAccountId);
    const { exchange } = await this.venues.resolve(scope.exchangeAccountId ?? undefined);
    const readings: SymbolReading[] = [];
    for (const symbol of symbols) {
      const hours = await this.candles.range(
        source.key,
        symbol,
        '1h',
        now - SWING_HOURS * HOUR_MS,
        now,
        SWING_HOURS,
      );
      const ticker = await exchange.ticker(symbol).catch(() => null);
      readings.push({ symbol, price: ticker?.last ?? null, hours, swing: latestSwing(hours) });
    }
    return readings;
  }
}

function roundLevels(levels: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(levels).map(([ratio, price]) => [ratio, round(price, 8)!]));
}
