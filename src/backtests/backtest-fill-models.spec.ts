import { Money } from '../platform/decimal/money';
import { SimulatedMarket } from '../market/simulated-market';
import { SimulatedQuotes } from '../market/simulated-quotes';
import { SIMULATED_UNIVERSE } from '../market/simulated-universe';
import { simulatedBookFills } from './backtest-fill-models';

describe('the simulated book fill model', () => {
  const quotes = new SimulatedQuotes(new SimulatedMarket(42, SIMULATED_UNIVERSE));
  const fills = simulatedBookFills(quotes);
  const at = Date.UTC(2026, 10, 20, 12, 0);

  it('sells a stop or target into the bids of that moment’s book, moved to the level: the half spread is paid', () => {
    const book = quotes.orderBook(0, at, 50);
    const mid = (book.bids[0][0] + book.asks[0][0]) / 2;
    const level = mid * 0.97;
    const [first] = fills.sellAtLevel('BTC/USDT', new Money('0.000001'), at, level);
    // A tiny amount fills at the best bid, as far below the level as the best bid is below the mid.
    expect(first.price.toNumber()).toBeCloseTo(level * (book.bids[0][0] / mid), 6);
    expect(first.price.toNumber()).toBeLessThan(level);
  });

  it('walks deeper into the bids for a larger sell', () => {
    const level = 50_000;
    const average = (amount: string) => {
      const taken = fills.sellAtLevel('BTC/USDT', new Money(amount), at, level);
      const total = taken.reduce((sum, fill) => sum + fill.amount.toNumber(), 0);
      return taken.reduce((sum, fill) => sum + fill.price.toNumber() * fill.amount.toNumber(), 0) / total;
    };
    expect(average('50')).toBeLessThan(average('0.001'));
  });

  it('finds the second the per-second path first reaches a stop or target, as the trade guard sees it', () => {
    const market = new SimulatedMarket(42, SIMULATED_UNIVERSE);
    const from = at;
    const to = at + 5 * 60_000;
    const minutes = market.candles(0, from, to);
    const low = Math.min(...minutes.map((c) => c.low));
    const high = Math.max(...minutes.map((c) => c.high));
    const stop = fills.firstTouch!('BTC/USDT', from, to, low, null)!;
    expect(stop.side).toBe('below');
    expect(quotes.priceAt(0, stop.atMs)).toBe(low);
    for (let second = from; second < stop.atMs; second += 1000)
      expect(quotes.priceAt(0, second)).toBeGreaterThan(low);
    const target = fills.firstTouch!('BTC/USDT', from, to, null, high)!;
    expect(target.side).toBe('above');
    expect(quotes.priceAt(0, target.atMs)).toBe(high);
    // Beyond the candles' range the path never went; a symbol off the simulation has no known path.
    expect(fills.firstTouch!('BTC/USDT', from, to, low - 1, high + 1)).toBeNull();
    expect(fills.firstTouch!('ZZZ/USDT', from, to, low, null)).toBeUndefined();
  });
});
