import { Injectable } from '@nestjs/common';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Money } from '../platform/decimal/money';
import type { Trade } from '../trading/trade.entity';
import { openAmount } from '../trading/trade-view';
import { TradesService } from '../trading/trades.service';
import type { TradingVenue } from '../trading/trading-venues.service';
import type { Bot } from './bot.entity';

/** What a bot sizes its entries on, in its markets' quote currency. */
export interface BotFunds {
  /** The bot's equity: what its risk per trade and its slot cap are shares of. */
  equity: number;
  /** Cash it may spend now: the account's free cash, and on a shared account what its share leaves. */
  available: number;
  /**
   * The account's trading equity: its quote currency and the open trades on it at their price (other
   * holdings, a user's long-term coins, do not count).
   */
  accountEquity: number;
  /** Notional the account's exposure cap still allows (MAX_ACCOUNT_EXPOSURE_PERCENT, every bot and the API). */
  exposureRoom: number;
}

/**
 * A bot's capital. A paper bot has its own paper account by default: all of it is the bot's. On a
 * shared account (a named paper account or an exchange account) the bot has an allocation: `capital`
 * (plus its results since it started) or `capitalPercent` of the account's trading equity (100 % when
 * neither is set); it never spends more than its equity less what its open trades hold.
 */
@Injectable()
export class BotCapital {
  constructor(
    private readonly trades: TradesService,
    private readonly settings: RuntimeSettings,
  ) {}

  async of(bot: Bot, venue: TradingVenue, quote: string): Promise<BotFunds> {
    const balances = await venue.exchange.balances();
    const cash = balances.find((balance) => balance.currency === quote);
    const open = (await this.trades.liveOnAccount(venue.venue, venue.accountId)).filter((trade) =>
      trade.symbol.endsWith(`/${quote}`),
    );
    const prices = new Map<string, number>();
    for (const symbol of new Set(open.map((trade) => trade.symbol))) {
      const ticker = await venue.exchange.ticker(symbol).catch(() => undefined);
      if (ticker?.last) prices.set(symbol, ticker.last);
    }
    const valueOf = (trade: Trade) => openAmount(trade).times(prices.get(trade.symbol) ?? 0);
    const held = open.reduce((sum, trade) => sum.plus(valueOf(trade)), new Money(0));
    const accountEquity = new Money(cash?.total ?? 0).plus(held);
    const exposureRoom = accountEquity
      .times(this.settings.section('risk').maxAccountExposurePercent)
      .div(100)
      .minus(held)
      .toNumber();
    const free = Number(cash?.free ?? 0);
    if (!bot.sharedAccount)
      return {
        equity: accountEquity.toNumber(),
        available: free,
        accountEquity: accountEquity.toNumber(),
        exposureRoom,
      };

    const own = open.filter((trade) => trade.botId === bot.id);
    const ownHeld = own.reduce((sum, trade) => sum.plus(valueOf(trade)), new Money(0));
    let equity: Money;
    if (bot.capital !== null) {
      // Its allocation and its results: realised since it started, and what its open trades stand at.
      const realized = await this.trades.realizedOfBot(bot.id, bot.riskWindowStart ?? new Date(0));
      const cost = own.reduce(
        (sum, trade) =>
          sum.plus(
            new Money(trade.entryAmount).gt(0)
              ? new Money(trade.entryCost).div(trade.entryAmount).times(openAmount(trade))
              : 0,
          ),
        new Money(0),
      );
      equity = new Money(bot.capital).plus(realized).plus(ownHeld).minus(cost);
    } else equity = accountEquity.times(bot.capitalPercent ?? 100).div(100);
    const room = equity.minus(ownHeld).toNumber();
    return {
      equity: Math.max(0, equity.toNumber()),
      available: Math.max(0, Math.min(free, room)),
      accountEquity: accountEquity.toNumber(),
      exposureRoom,
    };
  }
}
