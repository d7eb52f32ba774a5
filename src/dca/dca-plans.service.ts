import { Injectable } from '@nestjs/common';
import type { ExchangePort, MarketInfo } from '../exchange/exchange-port';
import { toApiError } from '../exchange/exchange-errors';
import { requireSymbol } from '../market/symbols';
import { Money, decimalNumber } from '../platform/decimal/money';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { TradingVenues } from '../trading/trading-venues.service';
import { buildLadder, Ladder, LadderSettings } from './dca-ladder';
import { ladderSettingsOf } from './dca-settings';
import type { DcaPlanDto, LadderSettingsDto } from './dto/dca-plan.dto';

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
    const { market, price, free } = await readMarket(exchange, symbol, 'ask');
    const sized = percentInQuote(settings, free);
    const ladder = buildLadder(
      { ...sized, volumeType: sized.volumeType === 'base' ? 'base' : 'quote' },
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

/** Sizes given as a percent of the free quote balance, as the quote amounts they are now. */
export function percentInQuote<S extends LadderSettings>(settings: S, free: Money): S {
  if (settings.volumeType !== 'percent') return settings;
  return {
    ...settings,
    volumeType: 'quote',
    baseOrderVolume: free.times(settings.baseOrderVolume / 100).toNumber(),
    safetyOrderVolume: free.times(settings.safetyOrderVolume / 100).toNumber(),
  };
}

/** A market's steps and fees alone (exchanges keep their markets loaded: no request each time). */
export async function marketOf(exchange: ExchangePort, symbol: string): Promise<MarketInfo> {
  let markets: MarketInfo[];
  try {
    markets = await exchange.markets();
  } catch (error) {
    throw toApiError(error);
  }
  const market = markets.find((candidate) => candidate.symbol === symbol);
  if (!market || !market.active)
    throw new ApiError(400, ErrorCode.INVALID_SYMBOL, `${symbol} is not traded on ${exchange.exchangeId}`);
  return market;
}

/** A market's steps, its price on one side of the book, and the free quote balance; failures as API errors. */
export async function readMarket(
  exchange: ExchangePort,
  symbol: string,
  side: 'ask' | 'bid',
): Promise<{ market: MarketInfo; price: string; free: Money }> {
  const market = await marketOf(exchange, symbol);
  try {
    const [ticker, balances] = await Promise.all([exchange.ticker(symbol), exchange.balances()]);
    const price = String((side === 'ask' ? ticker.ask : ticker.bid) ?? ticker.last);
    const free = new Money(balances.find((balance) => balance.currency === market.quote)?.free ?? 0);
    return { market, price, free };
  } catch (error) {
    throw toApiError(error);
  }
}

/** What the whole ladder costs with the taker fee on each order (the most a fill can cost). */
export function neededFor(ladder: Ladder, takerFee: string): Money {
  return new Money(ladder.totalCost).times(new Money(1).plus(takerFee));
}
