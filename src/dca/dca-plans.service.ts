import { Injectable } from '@nestjs/common';
import { toApiError } from '../exchange/exchange-errors';
import { requireSymbol } from '../market/symbols';
import { Money, decimalNumber } from '../platform/decimal/money';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { TradingVenues } from '../trading/trading-venues.service';
import { buildLadder, Ladder, LadderSettings } from './dca-ladder';
import type { DcaPlanDto, LadderSettingsDto } from './dto/dca-plan.dto';

/** Ladder settings with every absent one from the `dca` runtime settings or 3Commas' defaults. */
export function ladderSettingsOf(given: LadderSettingsDto, defaults: RuntimeSettings): LadderSettings {
  const dca = defaults.section('dca');
  return {
    baseOrderVolume: given.baseOrderVolume ?? dca.baseVolume,
    safetyOrderVolume: given.safetyOrderVolume ?? dca.baseVolume,
    volumeType: given.volumeType ?? 'quote',
    maxSafetyOrders: Math.floor(given.maxSafetyOrders ?? dca.maxAttempts),
    priceDeviation: given.priceDeviation ?? dca.stepPercent,
    volumeScale: given.volumeScale ?? dca.volumeScaling,
    stepScale: given.stepScale ?? 1,
    takeProfit: given.takeProfit ?? 1.5,
    takeProfitType: given.takeProfitType ?? 'total',
  };
}

/** The ladders settings would place now: priced from the ask, sized in quote, checked against the balance. */
@Injectable()
export class DcaPlans {
  constructor(
    private readonly venues: TradingVenues,
    private readonly settings: RuntimeSettings,
  ) {}

  async plan(query: LadderSettingsDto & { symbol: string; accountId?: string }): Promise<DcaPlanDto> {
    const symbol = requireSymbol(query.symbol);
    const settings = ladderSettingsOf(query, this.settings);
    const { exchange } = await this.venues.resolve(query.accountId);
    const [markets, ticker, balances] = await Promise.all([
      exchange.markets(),
      exchange.ticker(symbol),
      exchange.balances(),
    ]).catch((error: unknown) => {
      throw toApiError(error);
    });
    const market = markets.find((candidate) => candidate.symbol === symbol);
    if (!market || !market.active)
      throw new ApiError(400, ErrorCode.INVALID_SYMBOL, `${symbol} is not traded on ${exchange.exchangeId}`);
    const free = new Money(balances.find((balance) => balance.currency === market.quote)?.free ?? 0);
    const price = String(ticker.ask ?? ticker.last);
    const ladder = buildLadder(
      {
        ...settings,
        // A percent of the free quote balance is a quote size.
        volumeType: settings.volumeType === 'base' ? 'base' : 'quote',
        baseOrderVolume:
          settings.volumeType === 'percent'
            ? free.times(settings.baseOrderVolume / 100).toNumber()
            : settings.baseOrderVolume,
        safetyOrderVolume:
          settings.volumeType === 'percent'
            ? free.times(settings.safetyOrderVolume / 100).toNumber()
            : settings.safetyOrderVolume,
      },
      price,
      market,
    );
    return {
      symbol,
      quoteCurrency: market.quote,
      price: decimalNumber(price),
      priceStep: decimalNumber(market.priceStep),
      amountStep: decimalNumber(market.amountStep),
      settings,
      orders: ladder.orders.map((order) => ({
        ...order,
        price: decimalNumber(order.price),
        amount: decimalNumber(order.amount),
        cost: decimalNumber(order.cost),
        cumulativeAmount: decimalNumber(order.cumulativeAmount),
        cumulativeCost: decimalNumber(order.cumulativeCost),
        averageEntry: decimalNumber(order.averageEntry),
        takeProfitPrice: decimalNumber(order.takeProfitPrice),
      })),
      totalCapital: ladder.totalCapital,
      totalCost: decimalNumber(ladder.totalCost),
      maxDeviation: ladder.maxDeviation,
      freeBalance: decimalNumber(free),
      fundable: free.gte(neededFor(ladder, market.takerFee)),
    };
  }
}

/** What the whole ladder costs with the taker fee on each order (the most a fill can cost). */
export function neededFor(ladder: Ladder, takerFee: string): Money {
  return new Money(ladder.totalCost).times(new Money(1).plus(takerFee));
}
