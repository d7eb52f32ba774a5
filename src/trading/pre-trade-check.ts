import type { ExchangePort } from '../exchange/exchange-port';
import { toApiError } from '../exchange/exchange-errors';
import { requireSymbol } from '../market/symbols';
import { Money } from '../platform/decimal/money';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import type { PlaceOrderInput } from './orders.service';

/** Refuses before any order is written or sent: symbol, amounts and limits, balance. */
export async function preTradeCheck(
  exchange: ExchangePort,
  input: PlaceOrderInput,
  heldByTrades: Money,
): Promise<{ symbol: string; amount: string; price?: string; stopPrice?: string }> {
  const symbol = requireSymbol(input.symbol);
  if (input.type === 'limit' && input.price === undefined)
    throw ApiError.validation('price: a limit order needs a price');
  if (input.type !== 'limit' && input.price !== undefined)
    throw ApiError.validation('price: only limit orders have a price');
  if (input.type === 'stop' && input.stopPrice === undefined)
    throw ApiError.validation('stopPrice: a stop order needs a stopPrice');
  if (input.type !== 'stop' && input.stopPrice !== undefined)
    throw ApiError.validation('stopPrice: only stop orders have a stopPrice');
  try {
    const market = (await exchange.markets()).find((candidate) => candidate.symbol === symbol);
    if (!market || !market.active)
      throw new ApiError(400, ErrorCode.INVALID_SYMBOL, `${symbol} is not traded on ${exchange.exchangeId}`);
    const roundDown = (value: string, step: string) => {
      const stepSize = new Money(step);
      return stepSize.gt(0) ? new Money(value).div(stepSize).floor().times(stepSize) : new Money(value);
    };
    const roundNear = (value: string, step: string) => {
      const stepSize = new Money(step);
      return stepSize.gt(0) ? new Money(value).div(stepSize).round().times(stepSize) : new Money(value);
    };
    const amount = roundDown(input.amount, market.amountStep);
    if (amount.lte(0) || amount.lt(market.minAmount))
      throw ApiError.validation(
        `amount: below the minimum of ${market.minAmount} ${market.base} for ${symbol}`,
      );
    const price = input.price !== undefined ? roundNear(input.price, market.priceStep) : undefined;
    const stopPrice =
      input.stopPrice !== undefined ? roundNear(input.stopPrice, market.priceStep) : undefined;
    let reference = price ?? stopPrice;
    if (!reference) {
      const ticker = await exchange.ticker(symbol);
      reference = new Money(input.side === 'buy' ? ticker.ask : ticker.bid);
    }
    const notional = amount.times(reference);
    if (notional.lt(market.minNotional))
      throw ApiError.validation(
        `amount: the order is worth ${notional.toDecimalPlaces(8).toFixed()} ${market.quote}, below the minimum of ${market.minNotional}`,
      );
    const balances = await exchange.balances();
    const freeOf = (currency: string) =>
      new Money(balances.find((balance) => balance.currency === currency)?.free ?? 0);
    const needed = input.side === 'buy' ? notional.times(new Money(1).plus(market.takerFee)) : amount;
    const currency = input.side === 'buy' ? market.quote : market.base;
    if (freeOf(currency).lt(needed))
      throw new ApiError(
        400,
        ErrorCode.INSUFFICIENT_BALANCE,
        `The order needs ${needed.toDecimalPlaces(8).toFixed()} ${currency}; ${freeOf(currency).toFixed()} is free`,
      );
    if (freeOf(currency).minus(heldByTrades).lt(needed))
      throw new ApiError(
        400,
        ErrorCode.INSUFFICIENT_BALANCE,
        `The order needs ${needed.toDecimalPlaces(8).toFixed()} ${currency}; of the ${freeOf(currency).toFixed()} free, ` +
          `${heldByTrades.toFixed()} is held by open trades: close those through POST /api/trades/{id}/close`,
      );
    return {
      symbol,
      amount: amount.toFixed(),
      ...(price ? { price: price.toFixed() } : {}),
      ...(stopPrice ? { stopPrice: stopPrice.toFixed() } : {}),
    };
  } catch (error) {
    throw toApiError(error);
  }
}
