import { Injectable, Logger } from '@nestjs/common';
import { ExchangeStreams } from '../exchange/exchange-streams.service';
import { CandleRepository } from '../market/candle.repository';
import { TIMEFRAME_MS } from '../market/timeframes';
import { errorMessage } from '../platform/errors/error-message';
import { Clock } from '../platform/time/clock';
import type { BotRuntime } from './bot-runtime';

/**
 * Live bots on an exchange with kline streams learn of a closed candle from the stream: it is stored
 * at once (the engine's polling reads it from there, so nothing else changes for the strategy) and
 * the engine is asked to decide now instead of at its next poll. After a dropped stream the candles
 * it missed are fetched through REST, so the store has no holes.
 */
@Injectable()
export class CandleStreams {
  private readonly logger = new Logger('CandleStreams');
  /** Per bot: what stops each symbol's subscription. */
  private readonly followed = new Map<string, Map<string, () => void>>();
  /** Per bot: the symbols last asked for, so an unchanged set costs nothing. */
  private readonly asked = new Map<string, string>();
  /** Closed candles stored from streams, and the last one's delay after its close (ms), for status. */
  stored = 0;
  lastDelayMs: number | null = null;

  constructor(
    private readonly streams: ExchangeStreams,
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Subscribes the symbols the bot reads (adds new ones, drops those it no longer reads); `closed` is
   * called after a streamed candle was stored.
   */
  async follow(runtime: BotRuntime, symbols: readonly string[], closed: () => void): Promise<void> {
    const { source, config, bot } = runtime;
    const key = [...symbols].sort().join(',');
    if (!source.accountId || this.asked.get(bot.id) === key) return;
    this.asked.set(bot.id, key);
    if (!(await this.streams.supports(source.accountId))) return;
    const accountId = source.accountId;
    const mine = this.followed.get(bot.id) ?? new Map<string, () => void>();
    this.followed.set(bot.id, mine);
    for (const [symbol, stop] of mine)
      if (!symbols.includes(symbol)) {
        stop();
        mine.delete(symbol);
      }
    for (const symbol of symbols) {
      if (mine.has(symbol) || !source.symbols.has(symbol)) continue;
      const timeframe = config.timeframe;
      mine.set(
        symbol,
        this.streams.watchCandles(accountId, symbol, timeframe, {
          closed: (closedSymbol, candle) =>
            void this.candles
              .insertMany(source.key, [{ ...candle, symbol: closedSymbol, timeframe }])
              .then(() => {
                this.stored++;
                this.lastDelayMs = this.clock.nowMs() - (candle.openTime + TIMEFRAME_MS[timeframe]);
                closed();
              })
              .catch((error: unknown) => this.logger.warn(`storing ${closedSymbol}: ${errorMessage(error)}`)),
          resumed: (resumedSymbol, from) =>
            void source
              .ensure([resumedSymbol], timeframe, from, this.clock.nowMs())
              .catch((error: unknown) =>
                this.logger.warn(
                  `backfilling ${resumedSymbol} after a dropped stream: ${errorMessage(error)}`,
                ),
              ),
        }),
      );
    }
  }

  unfollow(botId: string): void {
    for (const stop of this.followed.get(botId)?.values() ?? []) stop();
    this.followed.delete(botId);
    this.asked.delete(botId);
  }

  /** Symbols streamed for the bot. */
  of(botId: string): string[] {
    return [...(this.followed.get(botId)?.keys() ?? [])];
  }
}
