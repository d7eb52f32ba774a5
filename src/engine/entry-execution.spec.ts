import type { MarketInfo } from '../exchange/exchange-port';
import type { OpenTradeInput, TradesService } from '../trading/trades.service';
import type { TradingVenues } from '../trading/trading-venues.service';
import type { BotRuntime } from './bot-runtime';
import type { BotStates } from './bot-states';
import { EntryExecution } from './entry-execution';

function market(symbol: string, minNotional: string): MarketInfo {
  return {
    symbol,
    base: symbol.split('/')[0],
    quote: 'USDT',
    active: true,
    amountStep: '0.001',
    priceStep: '0.01',
    minAmount: '0.001',
    minNotional,
    makerFee: '0.0008',
    takerFee: '0.001',
  };
}

/**
 * EntryExecution with its collaborators replaced by plain objects: an account of 10,000 USDT, markets
 * whose ask is 100 and bid 99.8, and the trades it opens recorded.
 */
function execution(markets: MarketInfo[]) {
  const opened: OpenTradeInput[] = [];
  const exchange = {
    markets: () => Promise.resolve(markets),
    balances: () => Promise.resolve([{ currency: 'USDT', free: '10000', used: '0', total: '10000' }]),
    ticker: (symbol: string) => Promise.resolve({ symbol, last: 99.9, bid: 99.8, ask: 100 }),
  };
  const venues = { resolve: () => Promise.resolve({ venue: 'paper', exchange }) } as unknown as TradingVenues;
  const trades = {
    open: (input: OpenTradeInput) => {
      opened.push(input);
      return Promise.resolve({});
    },
  } as unknown as TradesService;
  const states = { set: () => Promise.resolve(), alert: () => undefined } as unknown as BotStates;
  const runtime = {
    bot: { id: 'bot-1', name: 'bot', accountId: null, preset: 'test' },
    config: { risk: { riskPerTrade: 0.006, maxConcurrentPositions: 3 } },
    markets: null,
  } as unknown as BotRuntime;
  return { entries: new EntryExecution(trades, venues, states), runtime, opened };
}

describe('entries of a bot', () => {
  it('size each candidate before it takes a slot: one that cannot be sized leaves its slot to the next', async () => {
    // AAA's minimum order value is out of reach, so the one free slot goes to BBB.
    const { entries, runtime, opened } = execution([market('AAA/USDT', '1000000'), market('BBB/USDT', '5')]);
    await entries.enter(
      runtime,
      [
        { symbol: 'AAA/USDT', stopLoss: 98, price: 100 },
        { symbol: 'BBB/USDT', stopLoss: 98, price: 100 },
        { symbol: 'CCC/USDT', stopLoss: 98, price: 100 },
      ],
      1,
    );
    expect(opened.map((entry) => entry.symbol)).toEqual(['BBB/USDT']);
  });

  it('size on the loss at the stop with the fees and the spread the exit pays', async () => {
    const { entries, runtime, opened } = execution([market('BBB/USDT', '5')]);
    await entries.enter(runtime, [{ symbol: 'BBB/USDT', stopLoss: 98, price: 100 }], 1);
    // 60 USDT at risk; a unit loses 2 to the stop, 100 x 0.2 % in fees and 100 x 0.2 / 99.9 of spread
    // (bid 99.8, ask 100): 60 / 2.4002 = 24.9979 -> 24.997 at the step (27.272 with the fees alone).
    expect(opened[0].amount).toBe('24.997');
  });
});
