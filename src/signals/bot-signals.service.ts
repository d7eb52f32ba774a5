import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { MoreThanOrEqual, Repository } from 'typeorm';
import { DcaBots } from '../dca/dca-bots.service';
import type { Bot } from '../engine/bot.entity';
import { BotsService } from '../engine/bots.service';
import { EngineService } from '../engine/engine.service';
import { EntryExecution } from '../engine/entry-execution';
import { CandleRepository } from '../market/candle.repository';
import { Atr } from '../market/indicators/streaming';
import { requireSymbol } from '../market/symbols';
import { TIMEFRAME_MS } from '../market/timeframes';
import { SerialQueue } from '../platform/async/serial-queue';
import { isUniqueViolation } from '../platform/database/database-errors';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { Clock } from '../platform/time/clock';
import type { PresetConfig } from '../presets/preset-config';
import { PresetsService } from '../presets/presets.service';
import { ScannerService } from '../scanner/scanner.service';
import { TradesService } from '../trading/trades.service';
import { BotSignal } from './bot-signal.entity';
import type { InboundSignalDto, SignalResultDto, SignalTokenDto, StoredSignalDto } from './dto/signal.dto';

/** Signals one token may send a minute. */
export const SIGNALS_PER_MINUTE = 30;
/** The same body within this long is a replay. */
const REPLAY_WINDOW_MS = 60_000;
/** A signal's buy is stopped this many ATR(14) of the bot's timeframe below the price. */
const SIGNAL_STOP_ATR = 2;
const TOKEN_PREFIX = 'tps_';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

type Action = { outcome: 'acted' | 'ignored'; detail: string; tradeIds?: string[]; dealId?: string };

/**
 * A bot's signal URL (TradingView-style alerts): the token shown once and stored hashed, the signals
 * it receives acted on through the bot's own rules (sizing, risk limits, slots, DCA settings), each
 * stored with what was done. The same `id`, or the same body within 60 s, acts once.
 */
@Injectable()
export class BotSignals {
  private readonly perBot = new Map<string, SerialQueue>();
  private readonly perToken = new Map<string, { minute: number; count: number }>();

  constructor(
    @InjectRepository(BotSignal) private readonly signals: Repository<BotSignal>,
    private readonly botsService: BotsService,
    private readonly presets: PresetsService,
    private readonly scanner: ScannerService,
    private readonly engine: EngineService,
    private readonly execution: EntryExecution,
    private readonly trades: TradesService,
    private readonly dcaBots: DcaBots,
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
  ) {}

  /** A new token for the bot's signal URL (the one before stops working). */
  async issueToken(botId: string): Promise<SignalTokenDto> {
    await this.botsService.get(botId);
    const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const createdAt = new Date(this.clock.nowMs());
    await this.botsService.setSignalToken(botId, hashOf(token), createdAt);
    return { token, url: `/api/signals/${token}`, createdAt: createdAt.toISOString() };
  }

  async revokeToken(botId: string): Promise<void> {
    const bot = await this.botsService.get(botId);
    if (!bot.signalTokenHash) throw ApiError.notFound(`${bot.name} has no signal URL`);
    await this.botsService.setSignalToken(botId, null, null);
  }

  async list(botId: string, limit: number): Promise<StoredSignalDto[]> {
    await this.botsService.get(botId);
    const rows = await this.signals.find({ where: { botId }, order: { receivedAt: 'DESC' }, take: limit });
    return rows.map((row) => ({
      id: row.id,
      receivedAt: row.receivedAt.toISOString(),
      action: row.action,
      symbol: row.symbol,
      price: row.price,
      comment: row.comment,
      externalId: row.externalId,
      outcome: row.outcome,
      status: row.status,
      detail: row.detail,
      tradeIds: row.refs.tradeIds ?? [],
      dealId: row.refs.dealId ?? null,
    }));
  }

  /** POST /api/signals/:token. */
  async receive(token: string, signal: InboundSignalDto): Promise<SignalResultDto> {
    const bot = token.startsWith(TOKEN_PREFIX)
      ? await this.botsService.bySignalTokenHash(hashOf(token))
      : null;
    if (!bot) throw ApiError.notFound('No signal URL with this token');
    this.countForToken(bot.id);
    let queue = this.perBot.get(bot.id);
    if (!queue) this.perBot.set(bot.id, (queue = new SerialQueue()));
    return queue.run(() => this.receiveInOrder(bot, signal));
  }

  private countForToken(botId: string): void {
    const minute = Math.floor(this.clock.nowMs() / 60_000);
    const seen = this.perToken.get(botId);
    const count = seen?.minute === minute ? seen.count + 1 : 1;
    this.perToken.set(botId, { minute, count });
    if (count > SIGNALS_PER_MINUTE)
      throw new ApiError(
        429,
        ErrorCode.RATE_LIMITED,
        `more than ${SIGNALS_PER_MINUTE} signals a minute on this signal URL`,
        undefined,
        { retryAfter: 60 - Math.floor((this.clock.nowMs() % 60_000) / 1000) },
      );
  }

  private async receiveInOrder(bot: Bot, signal: InboundSignalDto): Promise<SignalResultDto> {
    const now = this.clock.nowMs();
    const bodyHash = hashOf(
      JSON.stringify([
        signal.action,
        signal.symbol,
        signal.price ?? null,
        signal.comment ?? null,
        signal.id ?? null,
      ]),
    );
    const earlier = await this.replayOf(bot.id, signal.id, bodyHash, now);
    if (earlier) return this.answerAgain(earlier);
    const row = Object.assign(new BotSignal(), {
      id: randomUUID(),
      botId: bot.id,
      receivedAt: new Date(now),
      action: signal.action,
      symbol: signal.symbol.slice(0, 32),
      price: signal.price ?? null,
      comment: signal.comment ?? null,
      externalId: signal.id ?? null,
      bodyHash,
      outcome: 'refused' as const,
      status: 102,
      detail: 'being acted on',
      refs: {},
    });
    try {
      // Written before it acts: another instance given the same id finds it and does not act again.
      await this.signals.insert(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const stored = await this.replayOf(bot.id, signal.id, bodyHash, now);
      if (stored) return this.answerAgain(stored);
      throw error;
    }
    try {
      const done = await this.act(bot, signal);
      await this.signals.update(
        { id: row.id },
        {
          outcome: done.outcome,
          status: 202,
          detail: done.detail,
          refs: { tradeIds: done.tradeIds, dealId: done.dealId },
        },
      );
      return this.result(row, done, false);
    } catch (error) {
      const status = error instanceof ApiError ? error.getStatus() : 500;
      const detail = error instanceof Error ? error.message : String(error);
      await this.signals.update({ id: row.id }, { outcome: 'refused', status, detail });
      throw error;
    }
  }

  private async replayOf(botId: string, externalId: string | undefined, bodyHash: string, now: number) {
    if (externalId) return this.signals.findOneBy({ botId, externalId });
    return this.signals.findOne({
      where: { botId, bodyHash, receivedAt: MoreThanOrEqual(new Date(now - REPLAY_WINDOW_MS)) },
      order: { receivedAt: 'DESC' },
    });
  }

  /** A replay answers what the first did (a refusal again as the same error), and does nothing more. */
  private answerAgain(earlier: BotSignal): SignalResultDto {
    if (earlier.outcome === 'refused')
      throw earlier.status >= 400
        ? new ApiError(earlier.status, ErrorCode.CONFLICT, `a replay of a refused signal: ${earlier.detail}`)
        : ApiError.conflict('the same signal is being acted on');
    return this.result(
      earlier,
      {
        outcome: earlier.outcome,
        detail: earlier.detail,
        tradeIds: earlier.refs.tradeIds,
        dealId: earlier.refs.dealId,
      },
      true,
    );
  }

  private result(row: BotSignal, done: Action, duplicate: boolean): SignalResultDto {
    return {
      signalId: row.id,
      botId: row.botId,
      action: row.action,
      symbol: row.symbol,
      outcome: done.outcome,
      detail: done.detail,
      tradeIds: done.tradeIds ?? [],
      dealId: done.dealId ?? null,
      duplicate,
    };
  }

  private async act(bot: Bot, signal: InboundSignalDto): Promise<Action> {
    const symbol = requireSymbol(signal.symbol);
    const { config } = await this.presets.get(bot.preset);
    if (bot.killSwitch) throw ApiError.conflict(`${bot.name} was stopped by its kill switch`);
    if (!bot.running) throw ApiError.conflict(`${bot.name} is not running: start it first`);
    const actor = `signal:${bot.name}`;
    if (signal.action === 'start_deal') {
      if (config.kind !== 'dca') throw ApiError.validation(`action: ${bot.name} is not a DCA bot; send buy`);
      const deal = await this.dcaBots.startForBot(bot.id, symbol, null, actor);
      return { outcome: 'acted', detail: `started DCA deal ${deal.id} on ${symbol}`, dealId: deal.id };
    }
    const universe =
      config.kind === 'dca' ? DcaBots.pairsOf(bot, config) : this.scanner.universeOf(config, bot.symbols);
    if (!universe.includes(symbol))
      throw ApiError.validation(
        `symbol: ${symbol} is not in ${bot.name}'s universe (${universe.join(', ')})`,
      );
    const runtime = this.engine.runtimeOf(bot.id);
    const inQueue = <T>(work: () => Promise<T>) => (runtime ? runtime.queue.run(work) : work());
    if (signal.action === 'sell' || signal.action === 'close')
      return inQueue(async () => {
        const held = (await this.trades.liveOfBot(bot.id)).filter(
          (trade) => trade.symbol === symbol && trade.status === 'OPEN',
        );
        if (held.length === 0) return { outcome: 'ignored', detail: `${bot.name} holds no ${symbol}` };
        for (const trade of held) await this.trades.close(trade.id, 'signal', actor);
        return {
          outcome: 'acted',
          detail: `sold ${held.length} position${held.length > 1 ? 's' : ''} in ${symbol}`,
          tradeIds: held.map((trade) => trade.id),
        };
      });
    if (config.kind === 'dca') throw ApiError.validation(`action: ${bot.name} is a DCA bot; send start_deal`);
    if (!runtime)
      throw ApiError.conflict(
        `${bot.name} is starting or runs in another instance: send the signal again shortly`,
      );
    return runtime.queue.run(() => this.enter(bot.id, runtime, config, symbol, signal.price));
  }

  private async enter(
    botId: string,
    runtime: NonNullable<ReturnType<EngineService['runtimeOf']>>,
    config: PresetConfig,
    symbol: string,
    price: number | undefined,
  ): Promise<Action> {
    const bot = await this.botsService.get(botId);
    if (bot.paused || bot.stopEntries)
      throw ApiError.conflict(
        `${bot.name} takes no new entries now (${bot.paused ? 'paused' : 'stop_entries'})`,
      );
    const live = await this.trades.liveOfBot(bot.id);
    if (live.some((trade) => trade.symbol === symbol))
      return { outcome: 'ignored', detail: `${bot.name} already holds ${symbol}` };
    const free = config.risk.maxConcurrentPositions - live.length;
    if (free <= 0) return { outcome: 'ignored', detail: `${bot.name} has no free position slot` };
    const span = TIMEFRAME_MS[config.timeframe];
    const newest = Math.floor(this.clock.nowMs() / span) * span - span;
    const recent = await this.candles.range(
      runtime.source.key,
      symbol,
      config.timeframe,
      newest - 40 * span,
      newest,
      40,
    );
    const atr = new Atr(14);
    for (const candle of recent) atr.update(candle.high, candle.low, candle.close);
    const last = recent.at(-1)?.close;
    if (atr.value === undefined || last === undefined)
      throw ApiError.conflict(`no ${config.timeframe} candles of ${symbol} to place a stop from`);
    const reference = price ?? last;
    await this.execution.enter(
      runtime,
      [{ symbol, stopLoss: reference - SIGNAL_STOP_ATR * atr.value, price: reference }],
      1,
    );
    const opened = (await this.trades.liveOfBot(bot.id)).filter(
      (trade) => trade.symbol === symbol && !live.some((known) => known.id === trade.id),
    );
    if (opened.length === 0)
      return {
        outcome: 'ignored',
        detail: `no entry in ${symbol}: it could not be sized or was refused (see the bot's alerts)`,
      };
    return {
      outcome: 'acted',
      detail: `opened trade ${opened[0].id} in ${symbol}`,
      tradeIds: opened.map((trade) => trade.id),
    };
  }
}
