import type { MarketInfo } from '../exchange/exchange-port';
import type { OpenTradeInput, TradesService } from '../trading/trades.service';
import type { TradingVenues } from '../trading/trading-venues.service';
import type { BotRuntime } from './bot-runtime';
import type { BotStates } from './bot-states';
import { EntryExecution } from './entry-execution';
import { BotCapital } from './bot-capital';
import type { Bot } from './bot.entity';
import type { Trade } from '../trading/trade.entity';
import type { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Money } from '../platform/decimal/money';

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
function execution(
  markets: MarketInfo[],
  options: { bot?: Partial<Bot>; openOnAccount?: Partial<Trade>[]; maxExposurePercent?: number } = {},
) {
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
    liveOnAccount: () => Promise.resolve(options.openOnAccount ?? []),
    realizedOfBot: () => Promise.resolve(new Money(0)),
  } as unknown as TradesService;
  const alerts: string[] = [];
  const states = {
    set: () => Promise.resolve(),
    alert: (_level: string, code: string) => alerts.push(code),
  } as unknown as BotStates;
  const runtime = {
    bot: {
      id: 'bot-1',
      name: 'bot',
      accountId: null,
      preset: 'test',
      sharedAccount: false,
      capital: null,
      capitalPercent: null,
      riskWindowStart: null,
      ...options.bot,
    },
    config: { risk: { riskPerTrade: 0.006, maxConcurrentPositions: 3 } },
    markets: null,
  } as unknown as BotRuntime;
  const settings = {
    section: () => ({ maxAccountExposurePercent: options.maxExposurePercent ?? 100 }),
  } as unknown as RuntimeSettings;
  const capital = new BotCapital(trades, settings);
  return { entries: new EntryExecution(trades, venues, states, capital), runtime, opened, alerts };
}

/** A trade another bot holds on the account: `amount` of a symbol quoted at 99.9. */
function heldByAnother(symbol: string, amount: string): Partial<Trade> {
  return { symbol, botId: 'bot-2', entryAmount: amount, entryFeeBase: '0', exitAmount: '0', entryCost: '0' };
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

  it('size a bot on a shared account on its share of the account, not on the whole of it', async () => {
    // 25 % of 10,000: 2,500 of equity, 15 USDT at risk -> 15 / 2.4002 = 6.2494 -> 6.249.
    const { entries, runtime, opened } = execution([market('BBB/USDT', '5')], {
      bot: { sharedAccount: true, capitalPercent: '25' },
    });
    await entries.enter(runtime, [{ symbol: 'BBB/USDT', stopLoss: 98, price: 100 }], 1);
    expect(opened[0].amount).toBe('6.249');
  });

  it('size a bot with a capital on a shared account on that capital and its results', async () => {
    const { entries, runtime, opened } = execution([market('BBB/USDT', '5')], {
      bot: { sharedAccount: true, capital: '1000' },
    });
    await entries.enter(runtime, [{ symbol: 'BBB/USDT', stopLoss: 98, price: 100 }], 1);
    // 6 USDT at risk: 6 / 2.4002 = 2.4998 -> 2.499.
    expect(opened[0].amount).toBe('2.499');
  });

  it("refuse an entry the account's exposure cap has no room for, with an alert", async () => {
    // Equity 10,000 of cash + 20 x 99.9 held by another bot = 11,998; 50 % of it is 5,999, 1,998 of
    // which is held: 4,001 of room. A full-risk entry (29.992 x 100 = 2,999.2) fits; a second does not.
    const { entries, runtime, opened, alerts } = execution(
      [market('BBB/USDT', '5'), market('CCC/USDT', '5')],
      {
        openOnAccount: [heldByAnother('AAA/USDT', '20')],
        maxExposurePercent: 50,
      },
    );
    await entries.enter(
      runtime,
      [
        { symbol: 'BBB/USDT', stopLoss: 98, price: 100 },
        { symbol: 'CCC/USDT', stopLoss: 98, price: 100 },
      ],
      2,
    );
    expect(opened.map((entry) => entry.symbol)).toEqual(['BBB/USDT']);
    expect(alerts).toEqual(['EXPOSURE_CAP']);
  });
});
