import { BOOK_DEPTH, walkBook } from '../exchange/paper/book-walk';
import type { BookLevel } from '../market/market-types';
import { SimulatedQuotes } from '../market/simulated-quotes';
import { FillModel } from './backtest-engine';

/** The paper exchange's fills: its simulated book at the candle's close (the close itself off the simulation). */
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
    buy: (symbol, amount, atMs, fallback) =>
      walkBook('buy', side(symbol, atMs, fallback, 'asks'), amount, null),
    sell: (symbol, amount, atMs, fallback) =>
      walkBook('sell', side(symbol, atMs, fallback, 'bids'), amount, null),
  };
}

/** Fills on an exchange's candles, which come without a book: the candle's close and a slippage against the order. */
export function closeFills(slippageBps: number): FillModel {
  const factor = 1 + slippageBps / 10_000;
  return {
    ask: (_symbol, _atMs, close) => close * factor,
    buy: (_symbol, amount, _atMs, close) =>
      walkBook('buy', [[close * factor, Number.MAX_SAFE_INTEGER]], amount, null),
    sell: (_symbol, amount, _atMs, close) =>
      walkBook('sell', [[close / factor, Number.MAX_SAFE_INTEGER]], amount, null),
  };
}
