import { Injectable, Logger } from '@nestjs/common';
import { TradesService } from '../trading/trades.service';
import { TradingVenue, TradingVenues } from '../trading/trading-venues.service';
import { BotCapital } from './bot-capital';
import type { BotRuntime } from './bot-runtime';
import { BotStates } from './bot-states';
import { sizeByRisk } from './risk-sizing';
import type { Signal } from '../strategies/strategy';

/** The bid-ask spread as a share of the mid price; 0 when the ticker does not say. */
function relativeSpread(ticker: { bid: number; ask: number } | undefined): number {
  return ticker?.ask && ticker.bid ? (ticker.ask - ticker.bid) / ((ticker.ask + ticker.bid) / 2) : 0;
}

/** Share of the free balance an entry leaves for the ask and the book walk above the estimate. */
export const ENTRY_SLIPPAGE_RESERVE = 0.01;

export interface PlannedEntry {
  symbol: string;
  stopLoss: number;
  takeProfit?: number;
  price: number;
  /** The ML model's say on the entry (an ML preset). */
  ml?: Signal['ml'];
}

/**
 * Turns a bot's buy signals into trades: sized by risk in its markets' quote currency, in the order
 * given, until the free slots are filled (an entry that cannot be sized leaves its slot to the next),
 * then opened.
 */
@Injectable()
export class EntryExecution {
  private readonly logger = new Logger('Engine');

  constructor(
    private readonly trades: TradesService,
    private readonly venues: TradingVenues,
    private readonly states: BotStates,
    private readonly capital: BotCapital,
  ) {}

  /** What a round trip in the symbol costs now, as a share of its price: the taker fee in and out and the spread. */
  async roundTripCost(runtime: BotRuntime, symbol: string): Promise<number> {
    const venue = await this.venueOf(runtime);
    runtime.markets ??= new Map((await venue.exchange.markets()).map((market) => [market.symbol, market]));
    const fee = Number(runtime.markets.get(symbol)?.takerFee ?? 0);
    const ticker = await venue.exchange.ticker(symbol).catch(() => undefined);
    return 2 * fee + relativeSpread(ticker);
  }

  /** Where the bot trades: its exchange account, or its paper account (the default one for bots from before). */
  private venueOf(runtime: BotRuntime): Promise<TradingVenue> {
    const { bot } = runtime;
    return this.venues.resolve(bot.accountId ?? undefined, bot.paperAccount ?? undefined);
  }

  async enter(runtime: BotRuntime, entries: PlannedEntry[], slots: number): Promise<void> {
    const { bot, config } = runtime;
    await this.states.set(bot.id, 'SIZING');
    const venue = await this.venueOf(runtime);
    if (!runtime.markets)
      runtime.markets = new Map((await venue.exchange.markets()).map((market) => [market.symbol, market]));
    // Entries are paid in their markets' quote currency (USDT on the simulated market); the bot's
    // equity is counted in it (BotCapital).
    const known = entries.map((entry) => runtime.markets!.get(entry.symbol)).find(Boolean);
    if (!known) return;
    const quote = known.quote;
    const funds = await this.capital.of(bot, venue, quote);
    const equity = funds.equity;
    let available = funds.available;
    let exposureRoom = funds.exposureRoom;
    const sameQuote = entries.filter((entry) => runtime.markets?.get(entry.symbol)?.quote === quote);
    const planned: Array<{
      symbol: string;
      amount: string;
      stopLoss: number;
      takeProfit?: number;
      riskShare: number;
      sizedBy: 'risk' | 'cash' | 'slot';
      ml?: Signal['ml'];
    }> = [];
    // Buying pays the ask, and a big order walks the book: keep a little of the balance for that.
    available *= 1 - ENTRY_SLIPPAGE_RESERVE;
    for (const entry of sameQuote) {
      if (planned.length >= slots) break;
      const market = runtime.markets.get(entry.symbol);
      if (!market) continue;
      const ticker = await venue.exchange.ticker(entry.symbol).catch(() => undefined);
      const price = ticker?.ask ?? ticker?.last ?? entry.price;
      if (entry.stopLoss >= price) continue;
      const spread = relativeSpread(ticker);
      const sizing = sizeByRisk({
        equity,
        riskPerTrade: config.risk.riskPerTrade,
        entry: price,
        stopLoss: entry.stopLoss,
        available,
        maxNotional: equity / config.risk.maxConcurrentPositions,
        feeRate: Number(market.takerFee),
        spread,
        stepSize: market.amountStep,
        minAmount: Number(market.minAmount),
        minNotional: Number(market.minNotional),
      });
      if (!sizing.ok) {
        this.logger.log(
          `bot ${bot.name}: no entry in ${entry.symbol}: ${sizing.reason} (equity ${equity.toFixed(2)}, free ${available.toFixed(2)}, ask ${price}, stop ${entry.stopLoss})`,
        );
        continue;
      }
      if (sizing.notional > exposureRoom) {
        const message = `${bot.name}: entry in ${entry.symbol} refused: ${sizing.notional.toFixed(2)} ${quote} would take the account's open trades past MAX_ACCOUNT_EXPOSURE_PERCENT of its equity ${funds.accountEquity.toFixed(2)} (room ${Math.max(0, exposureRoom).toFixed(2)})`;
        this.logger.log(`bot ${message}`);
        this.states.alert('warning', 'EXPOSURE_CAP', message, bot.id);
        continue;
      }
      exposureRoom -= sizing.notional;
      available -= sizing.notional * (1 + Number(market.takerFee));
      planned.push({
        symbol: entry.symbol,
        amount: sizing.amount,
        stopLoss: entry.stopLoss,
        takeProfit: entry.takeProfit,
        riskShare: sizing.riskShare,
        sizedBy: sizing.sizedBy,
        ml: entry.ml,
      });
    }
    if (planned.length === 0) return;
    await this.states.set(bot.id, 'EXECUTION');
    for (const entry of planned) {
      try {
        await this.trades.open(
          {
            symbol: entry.symbol,
            side: 'buy',
            amount: entry.amount,
            stopLoss: String(entry.stopLoss),
            ...(entry.takeProfit !== undefined ? { takeProfit: String(entry.takeProfit) } : {}),
            ...(bot.accountId ? { accountId: bot.accountId } : {}),
            ...(!bot.accountId && bot.paperAccount ? { paperAccount: bot.paperAccount } : {}),
            botId: bot.id,
            preset: bot.preset,
            source: 'bot',
            riskShare: entry.riskShare,
            sizedBy: entry.sizedBy,
            ...(entry.ml
              ? {
                  mlConfidence: entry.ml.confidence,
                  mlModel: `${entry.ml.modelType} v${entry.ml.modelVersion}`,
                }
              : {}),
          },
          `bot:${bot.name}`,
        );
      } catch (error) {
        this.logger.warn(`bot ${bot.name}: entry in ${entry.symbol} refused: ${String(error)}`);
        this.states.alert(
          'warning',
          'ENTRY_REFUSED',
          `${bot.name}: entry in ${entry.symbol} refused: ${String(error)}`,
          bot.id,
        );
      }
    }
  }
}
