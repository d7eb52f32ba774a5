import { DAY_MS, MINUTE_MS, SIMULATION_EPOCH_MS, SimulatedMarket } from './simulated-market';
import { SimulatedQuotes } from './simulated-quotes';
import { SIMULATED_UNIVERSE } from './simulated-universe';

describe('SimulatedQuotes', () => {
  const market = new SimulatedMarket(42, SIMULATED_UNIVERSE);
  const quotes = new SimulatedQuotes(market);
  const minute = SIMULATION_EPOCH_MS + 700 * DAY_MS + 613 * MINUTE_MS;

  it('moves from the candle open to its close within the minute, inside its range', () => {
    const candle = market.candle(0, minute);
    const pair = SIMULATED_UNIVERSE[0];
    expect(quotes.priceAt(0, minute)).toBeCloseTo(candle.open, 0);
    for (let s = 0; s < 60; s++) {
      const price = quotes.priceAt(0, minute + s * 1000);
      expect(price).toBeGreaterThanOrEqual(candle.low - pair.tickSize);
      expect(price).toBeLessThanOrEqual(candle.high + pair.tickSize);
      expect(Math.abs(price / pair.tickSize - Math.round(price / pair.tickSize))).toBeLessThan(1e-6);
    }
    expect(quotes.priceAt(0, minute + 59_999)).toBe(quotes.priceAt(0, minute + 59_000));
  });

  it("trades each minute's high and its low at a second of the minute, and opens at its open", () => {
    for (const pairIndex of [0, 1, 6, 20])
      for (let m = 0; m < 120; m++) {
        const openTime = minute + m * MINUTE_MS;
        const candle = market.candle(pairIndex, openTime);
        const prices = Array.from({ length: 60 }, (_, s) => quotes.priceAt(pairIndex, openTime + s * 1000));
        expect(prices[0]).toBe(candle.open);
        expect(Math.max(...prices)).toBe(candle.high);
        expect(Math.min(...prices)).toBe(candle.low);
      }
  });

  it('quotes a book with a positive spread around the price, prices ordered, amounts on the step', () => {
    for (const pairIndex of [0, 1, 4, 6]) {
      const pair = SIMULATED_UNIVERSE[pairIndex];
      const book = quotes.orderBook(pairIndex, minute + 30_500, 20);
      const mid = quotes.priceAt(pairIndex, minute + 30_500);
      expect(book.bids).toHaveLength(20);
      expect(book.asks).toHaveLength(20);
      expect(book.bids[0][0]).toBeLessThan(book.asks[0][0]);
      expect(book.bids[0][0]).toBeLessThanOrEqual(mid);
      expect(book.asks[0][0]).toBeGreaterThanOrEqual(mid);
      const spreadBps = ((book.asks[0][0] - book.bids[0][0]) / mid) * 10_000;
      expect(spreadBps).toBeGreaterThan(0);
      expect(spreadBps).toBeLessThan(pair.spreadBps * 8);
      for (let i = 1; i < 20; i++) {
        expect(book.bids[i][0]).toBeLessThan(book.bids[i - 1][0]);
        expect(book.asks[i][0]).toBeGreaterThan(book.asks[i - 1][0]);
      }
      for (const [, amount] of [...book.bids, ...book.asks]) {
        expect(amount).toBeGreaterThan(0);
        expect(Math.abs(amount / pair.stepSize - Math.round(amount / pair.stepSize))).toBeLessThan(1e-6);
      }
      // Enough depth near the touch to fill an ordinary order: 20 levels hold thousands of USDT.
      const notional = book.asks.reduce((sum, [price, amount]) => sum + price * amount, 0);
      expect(notional).toBeGreaterThan(2_000);
    }
    expect(quotes.orderBook(0, minute + 30_500, 5)).toEqual(quotes.orderBook(0, minute + 30_999, 5));
  });

  it('gives a ticker with 24 h statistics consistent with the candles', () => {
    const ticker = quotes.ticker(1, minute + 10_000);
    const candles = market.candles(1, minute - DAY_MS, minute);
    expect(ticker.high24h).toBeCloseTo(Math.max(ticker.last, ...candles.map((c) => c.high)), 9);
    expect(ticker.low24h).toBeCloseTo(Math.min(ticker.last, ...candles.map((c) => c.low)), 9);
    expect(ticker.volume24h).toBeCloseTo(
      candles.reduce((sum, c) => sum + c.volume, 0),
      6,
    );
    expect(ticker.bid).toBeLessThan(ticker.ask);
    expect(ticker.quoteVolume24h).toBeGreaterThan(100_000);
  });
});
