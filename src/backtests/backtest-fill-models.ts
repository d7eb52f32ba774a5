import { BOOK_DEPTH, walkBook } from '../exchange/paper/book-walk';
import type { BookLevel } from '../market/market-types';
import { SimulatedQuotes } from '../market/simulated-quotes';
import type { FillModel } from './backtest-types';
import { Money } from '../platform/decimal/money';

/**
 * The paper exchange's fills: its simulated book at that moment (the close itself off the simulation),
 * and the per-second path its trade guard watches, for the moment a stop or target is reached.
 */
export function simulatedBookFills(quotes: SimulatedQuotes): FillModel {
  const indexOf = new Map(quotes.pairs.map((pair, index) => [pair.symbol, index]));
  const side = (symbol: string, atMs: number, fallback: number, book: 'asks' | 'bids'): BookLevel[] => {
    const index = indexOf.get(symbol);
    return index === undefined
      ? [[fallback, Number.MAX_SAFE_INTEGER]]
      : quotes.orderBook(index, atMs, BOOK_DEPTH)[book];
  };
  return {
    ask: (symbol, atMs, fallback) => {
      const index = indexOf.get(symbol);
      return index === undefined ? fallback : quotes.orderBook(index, atMs, 1).asks[0][0];
    },
    spread: (symbol, atMs) => {
      const index = indexOf.get(symbol);
      if (index === undefined) return 0;
      const book = quotes.orderBook(index, atMs, 1);
      return (book.asks[0][0] - book.bids[0][0]) / ((book.asks[0][0] + book.bids[0][0]) / 2);
    },
    // The book of that moment moved to where the market traded the level: its spread and depth, around it.
    sellAtLevel: (symbol, amount, atMs, level) => {
      const index = indexOf.get(symbol);
      if (index === undefined) return walkBook('sell', [[level, Number.MAX_SAFE_INTEGER]], amount, null);
      const book = quotes.orderBook(index, atMs, BOOK_DEPTH);
      const scale = level / ((book.bids[0][0] + book.asks[0][0]) / 2);
      return walkBook(
        'sell',
        book.bids.map(([price, size]): BookLevel => [price * scale, size]),
        amount,
        null,
      );
    },
    buy: (symbol, amount, atMs, fallback) =>
      walkBook('buy', side(symbol, atMs, fallback, 'asks'), amount, null),
    firstTouch: (symbol, from, to, below, above) => {
      const index = indexOf.get(symbol);
      if (index === undefined) return undefined;
      for (let second = Math.ceil(from / 1000) * 1000; second < to; second += 1000) {
        const price = quotes.priceAt(index, second);
        if (below !== null && price <= below) return { atMs: second, side: 'below' };
        if (above !== null && price >= above) return { atMs: second, side: 'above' };
      }
      return null;
    },
    sell: (symbol, amount, atMs, fallback) =>
      walkBook('sell', side(symbol, atMs, fallback, 'bids'), amount, null),
  };
}

/**
 * Fills on an exchange's candles, which come without a book: the price the bot acts at (the open of the
 * candle after the signal; a stop's or target's level) with a slippage against the order, on both sides.
 */
export function closeFills(slippageBps: number): FillModel {
  const factor = 1 + slippageBps / 10_000;
  const sell = (amount: Money, price: number) =>
    walkBook('sell', [[price / factor, Number.MAX_SAFE_INTEGER]], amount, null);
  return {
    ask: (_symbol, _atMs, price) => price * factor,
    buy: (_symbol, amount, _atMs, price) =>
      walkBook('buy', [[price * factor, Number.MAX_SAFE_INTEGER]], amount, null),
    sell: (_symbol, amount, _atMs, price) => sell(amount, price),
    sellAtLevel: (_symbol, amount, _atMs, level) => sell(amount, level),
    // The slippage is paid in and out.
    spread: () => 2 * (factor - 1),
  };
}
