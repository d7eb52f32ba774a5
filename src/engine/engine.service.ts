import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { CandleRepository } from '../market/candle.repository';
import type { Candle } from '../market/market-types';
import { MarketDataService } from '../market/market-data.service';
import { TIMEFRAME_MS } from '../market/timeframes';
import { SerialQueue } from '../platform/async/serial-queue';
import { Money } from '../platform/decimal/money';
import { EventBus } from '../platform/events/event-bus';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { PresetsService } from '../presets/presets.service';
import { ScannerService } from '../scanner/scanner.service';
import { StrategiesService } from '../strategies/strategies.service';
import { resolveParameters, Signal } from '../strategies/strategy';
import { OrdersService } from '../trading/orders.service';
import type { Trade } from '../trading/trade.entity';
import { TradesService } from '../trading/trades.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { Bot } from './bot.entity';
import { BotRuntime, warmupCandles } from './bot-runtime';
import { EngineCommand, EngineState } from './engine-state';
import { breach, readRisk, RiskReading } from './risk-manager';
import { sizeByRisk } from './risk-sizing';
import { atCandleClose, HeldPosition, levelReached } from '../trading/exit-policy';
import { errorMessage } from '../platform/errors/error-message';

export const DEFAULT_BOT = 'default';
/** Cycles failing in a row before a bot stops in ERROR (retry brings it back). */
const MAX_CONSECUTIVE_ERRORS = 3;
/** How long after a candle's close the engine waits for every symbol's candle before acting without. */
const CANDLE_WAIT_MS = 30_000;
/** Share of the free balance an entry leaves for the ask and the book walk above the estimate. */
export const ENTRY_SLIPPAGE_RESERVE = 0.01;
const DAY_MS = 86_400_000;
/** How many of a bot's newest closed trades its status reads for the losing streak. */
const STREAK_LOOKBACK = 100;

/** The lease that lets one instance run a bot (the lock name the bots have always had). */
function botLease(botId: string): string {
  return `bot:${botId}`;
}

export interface BotSettings {
  name: string;
  preset: string;
  mode: 'paper' | 'live';
  accountId?: string | null;
  symbols?: string[] | null;
}

export interface CommandOutcome {
  message: string;
  bot: Bot;
}

/**
 * The engine: runs every bot whose lease this instance holds, one cycle a second. A cycle acts when a
 * candle of the preset's timeframe closes: scan, feed the strategy streams, turn buy signals of
 * candidates into trades sized by risk within the free slots; every cycle manages the bot's open
 * positions (time stop, trailing stop; stop loss and take profit are TradeGuard's) and reads the
 * risk limits.
 */
@Injectable()
export class EngineService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Engine');
  private readonly runtimes = new Map<string, BotRuntime>();
  private readonly adopting = new Map<string, Promise<boolean>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly passes = new SerialQueue();
  private stopped = false;

  constructor(
    @InjectRepository(Bot) private readonly bots: Repository<Bot>,
    private readonly presets: PresetsService,
    private readonly strategies: StrategiesService,
    private readonly scanner: ScannerService,
    private readonly trades: TradesService,
    private readonly orders: OrdersService,
    private readonly venues: TradingVenues,
    private readonly candles: CandleRepository,
    private readonly marketData: MarketDataService,
    private readonly leases: AdvisoryLeases,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    // The first tick comes after start-up (and its order reconciliation) finished: bots resume then.
    // A slow pass delays the next one; the timer never queues a second.
    this.timer = setInterval(() => {
      if (this.passes.pending === 0)
        void this.tick().catch((error: unknown) => this.logger.warn(`engine pass failed: ${String(error)}`));
    }, 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // The pass under way finishes (its queries need the database, which closes after this).
    await this.passes.run(async () => undefined);
    for (const runtime of this.runtimes.values()) await runtime.queue.run(async () => undefined);
  }

  /**
   * One pass: take up bots that should run and are free, then run a cycle of each bot held here.
   * Passes queue behind each other (the timer's and a caller's), so none is skipped.
   */
  tick(): Promise<void> {
    return this.passes.run(() => this.pass());
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    for (const [botId, runtime] of this.runtimes)
      if (!this.leases.holds(botLease(botId))) {
        // Its lock went with a broken database connection: another instance may run it now.
        this.runtimes.delete(botId);
        this.logger.warn(`bot ${runtime.bot.name} stopped here: its lease was lost`);
      }
    const wanted = await this.bots.findBy({ running: true });
    for (const bot of wanted)
      if (!this.runtimes.has(bot.id))
        await this.adopt(bot).catch((error: unknown) =>
          this.logger.warn(`bot ${bot.name} not started here: ${String(error)}`),
        );
    await Promise.all([...this.runtimes.values()].map((runtime) => this.cycle(runtime)));
  }

  // ---- bots ------------------------------------------------------------------------------------

  static noDefaultBot(): ApiError {
    return ApiError.conflict(
      'The engine has not been started yet: POST /api/engine/start with a preset first',
    );
  }

  async list(limit: number, offset: number): Promise<{ items: Bot[]; total: number }> {
    const [items, total] = await this.bots.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async get(id: string): Promise<Bot> {
    const bot = await this.bots.findOneBy({ id });
    if (!bot) throw ApiError.notFound(`No bot ${id}`);
    return bot;
  }

  async byName(name: string): Promise<Bot | null> {
    return this.bots.findOneBy({ name });
  }

  async create(settings: BotSettings): Promise<Bot> {
    await this.checkSettings(settings);
    const id = randomUUID();
    const inserted = await this.bots
      .createQueryBuilder()
      .insert()
      .values({
        id,
        name: settings.name,
        preset: settings.preset,
        mode: settings.mode,
        accountId: settings.accountId ?? null,
        symbols: settings.symbols ?? null,
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0)
      throw ApiError.conflict(`A bot named ${settings.name} exists`);
    return this.get(id);
  }

  /** The default bot with these settings (created on first use); refused while it runs with others. */
  async configureDefault(settings: Omit<BotSettings, 'name'>): Promise<Bot> {
    const existing = await this.byName(DEFAULT_BOT);
    if (!existing) return this.create({ ...settings, name: DEFAULT_BOT });
    await this.checkSettings({ ...settings, name: DEFAULT_BOT });
    if (existing.running) {
      const same =
        existing.preset === settings.preset &&
        existing.mode === settings.mode &&
        (settings.accountId === undefined || existing.accountId === settings.accountId);
      if (!same)
        throw ApiError.conflict(
          `The engine runs ${existing.preset} in ${existing.mode} mode: stop it before starting another preset or mode`,
        );
      return existing;
    }
    await this.bots.update(
      { id: existing.id },
      {
        preset: settings.preset,
        mode: settings.mode,
        accountId: settings.accountId ?? null,
        symbols: settings.symbols ?? null,
      },
    );
    return this.get(existing.id);
  }

  private async checkSettings(settings: BotSettings): Promise<void> {
    const preset = await this.presets.get(settings.preset);
    if (settings.mode === 'live' && !settings.accountId)
      throw ApiError.validation('accountId: live mode trades on an exchange account; give its id');
    if (settings.mode === 'paper' && settings.accountId)
      throw ApiError.validation('accountId: paper mode trades on the paper exchange; leave accountId out');
    if (settings.accountId) await this.venues.resolve(settings.accountId);
    if (settings.symbols) {
      const source = await this.marketData.candleSource(settings.accountId);
      this.scanner.universeOf(preset.config, settings.symbols, source);
    }
  }

  // ---- commands --------------------------------------------------------------------------------

  async command(
    botId: string,
    command: EngineCommand,
    options: { reason?: string; parameters?: Record<string, unknown>; isAdmin: boolean; actor: string },
  ): Promise<CommandOutcome> {
    const bot = await this.get(botId);
    const runtime = this.runtimes.get(botId);
    const run = <T>(work: () => Promise<T>) => (runtime ? runtime.queue.run(work) : work());
    const reason = options.reason ?? null;
    switch (command) {
      case 'start':
        return this.start(bot);
      case 'stop':
        return run(() => this.stop(bot, options.parameters?.cancelOrders === true, reason));
      case 'restart': {
        await run(() => this.stop(bot, false, reason ?? 'restart'));
        return this.start(await this.get(botId));
      }
      case 'pause':
        return run(() => this.pause(bot, reason ?? 'paused by command'));
      case 'resume':
        return run(() => this.resume(bot));
      case 'stop_entries':
        await this.bots.update({ id: bot.id }, { stopEntries: true });
        this.refresh(bot.id, { stopEntries: true });
        return { message: 'No new entries; open positions are still managed', bot: await this.get(bot.id) };
      case 'time_stop':
        return run(() => this.timeStop(bot, options.parameters?.olderThanMinutes, options.actor));
      case 'panic_exit':
        return run(() => this.panicExit(bot, reason ?? 'panic_exit', options.actor, false));
      case 'kill_switch':
        return run(() => this.panicExit(bot, reason ?? 'kill_switch', options.actor, true));
      case 'reset_kill_switch':
        if (!options.isAdmin) throw ApiError.forbidden('Resetting the kill switch needs the ADMIN role');
        await this.bots.update({ id: bot.id }, { killSwitch: false, state: 'IDLE', lastError: null });
        this.announce(bot, 'IDLE', 'kill switch reset');
        return { message: 'Kill switch reset: the bot may start again', bot: await this.get(bot.id) };
      case 'retry':
        return run(() => this.retry(bot));
    }
  }

  private async start(bot: Bot): Promise<CommandOutcome> {
    if (bot.killSwitch)
      throw ApiError.conflict(`Bot ${bot.name} was stopped by its kill switch: an ADMIN must reset it first`);
    if (bot.running && this.runtimes.has(bot.id)) return { message: 'Engine already running', bot };
    await this.presets.get(bot.preset);
    const now = this.clock.now();
    await this.bots.update(
      { id: bot.id },
      {
        running: true,
        paused: false,
        pauseReason: null,
        pausedUntil: null,
        stopEntries: false,
        lastError: null,
        processedThrough: null,
        riskWindowStart: now,
        startedAt: now,
        stoppedAt: null,
      },
    );
    const adopted = await this.adopt(await this.get(bot.id));
    return {
      message: adopted ? 'Engine started successfully' : 'Engine started; another instance runs it',
      bot: await this.get(bot.id),
    };
  }

  private async stop(bot: Bot, cancelOrders: boolean, reason: string | null): Promise<CommandOutcome> {
    await this.bots.update({ id: bot.id }, { running: false, stoppedAt: this.clock.now() });
    let canceled = 0;
    if (cancelOrders) canceled = await this.cancelOrders(bot);
    await this.drop(bot.id);
    await this.bots.update({ id: bot.id, killSwitch: false }, { state: 'IDLE' });
    this.announce(bot, 'IDLE', reason ?? 'stopped');
    return {
      message: `Engine stopped successfully${cancelOrders ? `; ${canceled} order(s) canceled` : ''}`,
      bot: await this.get(bot.id),
    };
  }

  private async pause(bot: Bot, reason: string): Promise<CommandOutcome> {
    this.requireRunning(bot);
    await this.bots.update({ id: bot.id }, { paused: true, pauseReason: reason, pausedUntil: null });
    this.refresh(bot.id, { paused: true, pauseReason: reason, pausedUntil: null });
    await this.setState(bot.id, 'PAUSED', reason);
    return {
      message: 'Engine paused: no new entries, open positions still managed',
      bot: await this.get(bot.id),
    };
  }

  private async resume(bot: Bot): Promise<CommandOutcome> {
    this.requireRunning(bot);
    const changes = {
      paused: false,
      pauseReason: null,
      pausedUntil: null,
      stopEntries: false,
      riskWindowStart: this.clock.now(),
    };
    await this.bots.update({ id: bot.id }, changes);
    this.refresh(bot.id, changes);
    await this.setState(bot.id, 'SIGNAL_WAIT', 'resumed');
    return { message: 'Engine resumed', bot: await this.get(bot.id) };
  }

  private async retry(bot: Bot): Promise<CommandOutcome> {
    if (bot.state !== 'ERROR') throw ApiError.conflict(`Bot ${bot.name} is ${bot.state}, not in ERROR`);
    await this.bots.update({ id: bot.id }, { lastError: null });
    const runtime = this.runtimes.get(bot.id);
    if (runtime) runtime.consecutiveErrors = 0;
    this.refresh(bot.id, { lastError: null });
    await this.setState(bot.id, bot.paused ? 'PAUSED' : 'SIGNAL_WAIT', 'retry');
    return { message: 'Engine retrying', bot: await this.get(bot.id) };
  }

  /** Closes the positions older than `minutes` (a whole number of minutes; the preset's maxHoldMinutes when absent). */
  private async timeStop(bot: Bot, minutes: unknown, actor: string): Promise<CommandOutcome> {
    if (
      minutes !== undefined &&
      !(Number.isInteger(minutes) && (minutes as number) >= 0 && (minutes as number) <= 525_600)
    )
      throw ApiError.validation(
        'parameters.olderThanMinutes: must be a whole number of minutes from 0 to 525600',
      );
    const preset = await this.presets.get(bot.preset);
    const limit = (minutes as number | undefined) ?? preset.config.risk.maxHoldMinutes;
    const closed = await this.closeOlderThan(bot, limit, actor);
    return {
      message: `Time stop: ${closed} position(s) older than ${limit} min closed`,
      bot: await this.get(bot.id),
    };
  }

  /** Cancels every order of the bot, closes every position at market, and stops; kill also locks it. */
  private async panicExit(bot: Bot, reason: string, actor: string, kill: boolean): Promise<CommandOutcome> {
    await this.bots.update({ id: bot.id }, { running: false, killSwitch: kill, stoppedAt: this.clock.now() });
    await this.drop(bot.id);
    this.announce(bot, 'EMERGENCY', reason);
    const canceled = await this.cancelOrders(bot);
    let closed = 0;
    const failures: string[] = [];
    for (const trade of await this.trades.liveOfBot(bot.id)) {
      if (trade.status !== 'OPEN') continue;
      try {
        await this.trades.close(trade.id, kill ? 'kill_switch' : 'panic_exit', actor);
        closed++;
      } catch (error) {
        failures.push(`${trade.symbol}: ${errorMessage(error)}`);
      }
    }
    const finalState: EngineState = kill ? 'EMERGENCY' : 'IDLE';
    await this.bots.update({ id: bot.id }, { state: finalState, lastError: failures.join('; ') || null });
    if (!kill) this.announce(bot, 'IDLE', reason);
    this.alert('critical', kill ? 'KILL_SWITCH' : 'PANIC_EXIT', `${bot.name}: ${reason}`, bot.id);
    const tail = failures.length ? `; not closed: ${failures.join('; ')}` : '';
    return {
      message: `${kill ? 'Kill switch' : 'Panic exit'}: ${canceled} order(s) canceled, ${closed} position(s) closed${tail}`,
      bot: await this.get(bot.id),
    };
  }

  private requireRunning(bot: Bot): void {
    if (!bot.running) throw ApiError.conflict(`Bot ${bot.name} is not running`);
  }

  private async cancelOrders(bot: Bot): Promise<number> {
    let canceled = 0;
    for (const order of await this.orders.unsettledOfBot(bot.id)) {
      try {
        await this.orders.cancel(order.id);
        canceled++;
      } catch (error) {
        this.logger.warn(`bot ${bot.name}: order ${order.id} not canceled: ${String(error)}`);
      }
    }
    return canceled;
  }

  private async closeOlderThan(bot: Bot, minutes: number, actor: string): Promise<number> {
    const cutoff = this.clock.nowMs() - minutes * 60_000;
    let closed = 0;
    for (const trade of await this.trades.liveOfBot(bot.id)) {
      if (trade.status !== 'OPEN' || !trade.openedAt || trade.openedAt.getTime() > cutoff) continue;
      try {
        await this.trades.close(trade.id, 'time_stop', actor);
        closed++;
      } catch (error) {
        this.logger.warn(`bot ${bot.name}: time stop of ${trade.id} failed: ${String(error)}`);
      }
    }
    return closed;
  }

  // ---- status ----------------------------------------------------------------------------------

  runtimeOf(botId: string): BotRuntime | undefined {
    return this.runtimes.get(botId);
  }

  /**
   * The day's R counts trades closed since the UTC day began; the losing streak counts the newest
   * trades whatever their day. Neither counts trades closed before the risk window (set by start and
   * resume); the streak also starts again when a risk pause lifts.
   */
  async riskOf(bot: Bot, streakLimit = STREAK_LOOKBACK): Promise<RiskReading> {
    const windowStart = bot.riskWindowStart?.getTime() ?? 0;
    const streakStart = Math.max(windowStart, bot.streakWindowStart?.getTime() ?? 0);
    const dayStart = Math.floor(this.clock.nowMs() / DAY_MS) * DAY_MS;
    const [today, recent] = await Promise.all([
      this.trades.closedOfBot(bot.id, new Date(Math.max(dayStart, windowStart))),
      this.trades.lastClosedOfBot(bot.id, new Date(streakStart), streakLimit),
    ]);
    return readRisk(today, recent);
  }

  async openTradesOf(botId: string): Promise<Trade[]> {
    return this.trades.liveOfBot(botId);
  }

  async tradeCountOf(botId: string): Promise<number> {
    return this.trades.countOfBot(botId);
  }

  // ---- the cycle -------------------------------------------------------------------------------

  /**
   * Starts running a bot here if its lease is free: loads its preset and warms up its strategy
   * streams. A start command and the timer's pass may both ask at once: they share one attempt.
   */
  private adopt(bot: Bot): Promise<boolean> {
    const pending = this.adopting.get(bot.id);
    if (pending) return pending;
    const attempt = this.adoptOnce(bot).finally(() => this.adopting.delete(bot.id));
    this.adopting.set(bot.id, attempt);
    return attempt;
  }

  private async adoptOnce(bot: Bot): Promise<boolean> {
    if (this.runtimes.has(bot.id)) return true;
    if (!(await this.leases.acquire(botLease(bot.id)))) return false;
    try {
      const preset = await this.presets.get(bot.preset);
      const strategy = this.strategies.get(preset.config.strategy.name);
      const { params } = resolveParameters(strategy, preset.config.strategy.parameters);
      const source = await this.marketData.candleSource(bot.accountId);
      const runtime = new BotRuntime(bot, preset.config, strategy, params, source, this.clock.nowMs());
      this.runtimes.set(bot.id, runtime);
      await runtime.queue.run(async () => {
        await this.setState(bot.id, 'INITIALIZING', 'warming up');
        const newest = this.newestClosedOpen(runtime);
        // A fresh start acts on candles closing from now on; a resumed bot goes on where it stopped.
        if (!bot.processedThrough) {
          await this.bots.update({ id: bot.id }, { processedThrough: new Date(newest) });
          runtime.bot.processedThrough = new Date(newest);
        }
        await this.feed(runtime, newest);
        const state: EngineState = bot.paused ? 'PAUSED' : 'SIGNAL_WAIT';
        await this.setState(bot.id, state, bot.paused ? bot.pauseReason : 'running');
      });
      this.logger.log(`bot ${bot.name} runs ${bot.preset} (${bot.mode}) in this instance`);
      return true;
    } catch (error) {
      this.runtimes.delete(bot.id);
      await this.leases.release(botLease(bot.id));
      throw error;
    }
  }

  private async drop(botId: string): Promise<void> {
    const runtime = this.runtimes.get(botId);
    this.runtimes.delete(botId);
    if (runtime) await this.leases.release(botLease(botId));
  }

  private newestClosedOpen(runtime: BotRuntime): number {
    const span = TIMEFRAME_MS[runtime.config.timeframe];
    return Math.floor(this.clock.nowMs() / span) * span - span;
  }

  private cycle(runtime: BotRuntime): Promise<void> {
    return runtime.queue.run(async () => {
      if (!this.runtimes.has(runtime.bot.id)) return;
      const { bot } = runtime;
      if (bot.state === 'ERROR' || bot.state === 'EMERGENCY') return;
      const started = performance.now();
      try {
        await this.checkRisk(runtime);
        const newest = this.newestClosedOpen(runtime);
        if (newest > (bot.processedThrough?.getTime() ?? -Infinity)) await this.decide(runtime, newest);
        await this.manage(runtime);
        runtime.consecutiveErrors = 0;
      } catch (error) {
        runtime.consecutiveErrors++;
        const message = errorMessage(error);
        this.logger.warn(`bot ${bot.name}: cycle failed (${runtime.consecutiveErrors} in a row): ${message}`);
        await this.bots.update({ id: bot.id }, { lastError: message.slice(0, 500) });
        bot.lastError = message.slice(0, 500);
        if (runtime.consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
          await this.setState(bot.id, 'ERROR', message);
          this.alert('critical', 'BOT_ERROR', `${bot.name} stopped in ERROR: ${message}`, bot.id);
        }
      } finally {
        const latency = performance.now() - started;
        runtime.cycleCount++;
        runtime.latencyTotalMs += latency;
        runtime.lastLatencyMs = latency;
      }
    });
  }

  /**
   * Pauses the bot with an alert when the day's loss or the losing streak reaches the preset's limit,
   * until the next UTC day or for streakPauseMinutes; lifts such a pause once its time has come.
   */
  private async checkRisk(runtime: BotRuntime): Promise<void> {
    const { bot } = runtime;
    const now = this.clock.nowMs();
    if (bot.paused) {
      if (bot.pausedUntil && bot.pausedUntil.getTime() <= now) await this.liftPause(runtime);
      return;
    }
    const risk = runtime.config.risk;
    const problem = breach(await this.riskOf(bot, risk.maxConsecutiveLosses), risk, now);
    if (!problem) return;
    const reason = `risk limit: ${problem.message}`;
    const changes = { paused: true, pauseReason: reason, pausedUntil: problem.until };
    await this.bots.update({ id: bot.id }, changes);
    Object.assign(bot, changes);
    await this.setState(bot.id, 'PAUSED', reason);
    this.alert(
      'warning',
      problem.code,
      `${bot.name} paused until ${problem.until.toISOString()}: ${problem.message}`,
      bot.id,
    );
  }

  /**
   * A risk pause ran its time: the bot enters again and its losing streak starts again (the day's
   * loss stands: a daily pause lifts on a new day anyway). A pause by command given meanwhile stays.
   */
  private async liftPause(runtime: BotRuntime): Promise<void> {
    const { bot } = runtime;
    const changes = {
      paused: false,
      pauseReason: null,
      pausedUntil: null,
      streakWindowStart: this.clock.now(),
    };
    const lifted = await this.bots.update(
      { id: bot.id, paused: true, pausedUntil: bot.pausedUntil! },
      changes,
    );
    if (!lifted.affected) return;
    Object.assign(bot, changes);
    await this.setState(bot.id, 'SIGNAL_WAIT', 'risk pause lifted');
    this.alert('info', 'RISK_PAUSE_LIFTED', `${bot.name} resumed: its risk pause ended`, bot.id);
  }

  /**
   * Feeds the stream of every universe symbol, and of every symbol the bot holds, the candles it has
   * not seen, up to `newest` (an open time); returns the symbols it fed.
   */
  private async feed(runtime: BotRuntime, newest: number, held: readonly string[] = []): Promise<string[]> {
    const span = TIMEFRAME_MS[runtime.config.timeframe];
    const universe = [
      ...new Set([...this.scanner.universeOf(runtime.config, runtime.bot.symbols, runtime.source), ...held]),
    ];
    const warmup = warmupCandles(runtime.strategy, runtime.params);
    const earliest = Math.min(
      ...universe.map((symbol) => {
        const known = runtime.streams.get(symbol);
        return known && newest - known.through <= warmup * span
          ? known.through + span
          : newest - (warmup - 1) * span;
      }),
    );
    if (!Number.isFinite(earliest) || earliest > newest) return universe;
    await runtime.source.ensure(universe, runtime.config.timeframe, earliest, newest);
    const bySymbol = await this.candles.rangeMany(
      runtime.source.key,
      universe,
      runtime.config.timeframe,
      earliest,
      newest,
    );
    for (const symbol of universe) {
      let entry = runtime.streams.get(symbol);
      if (!entry || newest - entry.through > warmup * span) {
        entry = { stream: runtime.strategy.stream(runtime.params), through: newest - warmup * span };
        runtime.streams.set(symbol, entry);
      }
      const fed = entry;
      for (const candle of bySymbol.get(symbol) ?? []) {
        if (candle.openTime <= fed.through) continue;
        fed.lastSignal = fed.stream.next(candle);
        fed.lastCandle = candle;
        fed.through = candle.openTime;
      }
    }
    return universe;
  }

  /**
   * A candle closed: exits on the strategy's sell signal for every symbol the bot holds, whatever the
   * scan says and paused or not (a pause stops entries, never the management of open positions);
   * then, unless paused, scan, read the candidates' signals and open what fits in the free slots.
   */
  private async decide(runtime: BotRuntime, newest: number): Promise<void> {
    const { bot, config } = runtime;
    const live = await this.trades.liveOfBot(bot.id);
    const held = new Set(live.map((trade) => trade.symbol));
    const universe = await this.feed(runtime, newest, [...held]);
    // The market stores a closed candle a moment after it closes: wait for it (a while), so a
    // candle is never passed over for being read too early.
    const stored = universe.every((symbol) => runtime.streams.get(symbol)?.through === newest);
    const waited = this.clock.nowMs() - (newest + TIMEFRAME_MS[config.timeframe]);
    if (!stored && waited < CANDLE_WAIT_MS) return;
    const signalOf = (symbol: string) => {
      const entry = runtime.streams.get(symbol);
      return entry?.lastSignal && entry.through === newest && entry.lastSignal.action !== 'hold'
        ? entry.lastSignal
        : undefined;
    };
    const publishSignal = (symbol: string, signal: Signal) =>
      this.events.publish('engine.signal', {
        ...signal,
        botId: bot.id,
        bot: bot.name,
        preset: bot.preset,
        symbol,
        timeframe: config.timeframe,
        candleTime: new Date(newest).toISOString(),
      });
    let signals = 0;
    // The exit policy at this close, for every position the bot holds, paused or not.
    for (const trade of live) {
      const entry = runtime.streams.get(trade.symbol);
      const candle = entry?.through === newest ? entry.lastCandle : undefined;
      if (trade.status !== 'OPEN' || !candle) continue;
      const signal = signalOf(trade.symbol);
      if (signal?.action === 'sell') {
        signals++;
        publishSignal(trade.symbol, signal);
      }
      await this.applyExitPolicy(runtime, trade, candle, signal?.action === 'sell');
    }
    if (!bot.paused) {
      // Scan at the preset's interval; between scans the last candidates stand.
      const now = this.clock.nowMs();
      const due =
        !runtime.lastScan ||
        runtime.lastScanAt === null ||
        now - runtime.lastScanAt >= config.scannerConfig.scanIntervalSeconds * 1000;
      if (due) {
        await this.setState(bot.id, 'SCANNING');
        runtime.lastScan = await this.scanner.scan(bot.preset, config, {
          symbols: bot.symbols,
          botId: bot.id,
          source: runtime.source,
        });
        runtime.lastScanAt = now;
      }
      const scan = runtime.lastScan!;
      await this.setState(bot.id, 'SIGNAL_WAIT');
      const entries: Array<{ symbol: string; stopLoss: number; takeProfit?: number; price: number }> = [];
      for (const candidate of scan.candidates) {
        const signal = signalOf(candidate.symbol);
        // Sells of held symbols were acted on above.
        if (!signal || (held.has(candidate.symbol) && signal.action === 'sell')) continue;
        signals++;
        publishSignal(candidate.symbol, signal);
        if (held.has(candidate.symbol) || signal.action !== 'buy' || signal.stopLoss === undefined) continue;
        entries.push({
          symbol: candidate.symbol,
          stopLoss: signal.stopLoss,
          takeProfit: signal.takeProfit,
          price: candidate.metrics.price,
        });
      }
      const free = config.risk.maxConcurrentPositions - live.length;
      if (!bot.stopEntries && free > 0 && entries.length > 0)
        await this.enter(runtime, entries.slice(0, free));
    }
    if (signals > 0) {
      await this.bots.increment({ id: bot.id }, 'signalCount', signals);
      bot.signalCount += signals;
    }
    await this.bots.update({ id: bot.id }, { processedThrough: new Date(newest) });
    bot.processedThrough = new Date(newest);
  }

  private async enter(
    runtime: BotRuntime,
    entries: Array<{ symbol: string; stopLoss: number; takeProfit?: number; price: number }>,
  ): Promise<void> {
    const { bot, config } = runtime;
    await this.setState(bot.id, 'SIZING');
    const venue = await this.venues.resolve(bot.accountId ?? undefined);
    if (!runtime.markets)
      runtime.markets = new Map((await venue.exchange.markets()).map((market) => [market.symbol, market]));
    // Entries are paid in their markets' quote currency (USDT on the simulated market); equity is
    // counted in it, each other coin held at its price in that currency.
    const known = entries.map((entry) => runtime.markets!.get(entry.symbol)).find(Boolean);
    if (!known) return;
    const quote = known.quote;
    const balances = await venue.exchange.balances();
    let available = 0;
    let equity = new Money(0);
    for (const balance of balances) {
      if (balance.currency === quote) {
        available = Number(balance.free);
        equity = equity.plus(balance.total);
        continue;
      }
      if (!new Money(balance.total).gt(0)) continue;
      const ticker = await venue.exchange.ticker(`${balance.currency}/${quote}`).catch(() => undefined);
      if (ticker?.last) equity = equity.plus(new Money(balance.total).times(ticker.last));
    }
    const sameQuote = entries.filter((entry) => runtime.markets?.get(entry.symbol)?.quote === quote);
    const planned: Array<{ symbol: string; amount: string; stopLoss: number; takeProfit?: number }> = [];
    // Buying pays the ask, and a big order walks the book: keep a little of the balance for that.
    available *= 1 - ENTRY_SLIPPAGE_RESERVE;
    for (const entry of sameQuote) {
      const market = runtime.markets.get(entry.symbol);
      if (!market) continue;
      const ticker = await venue.exchange.ticker(entry.symbol).catch(() => undefined);
      const price = ticker?.ask ?? ticker?.last ?? entry.price;
      if (entry.stopLoss >= price) continue;
      const sizing = sizeByRisk({
        equity: equity.toNumber(),
        riskPerTrade: config.risk.riskPerTrade,
        entry: price,
        stopLoss: entry.stopLoss,
        available,
        maxNotional: equity.toNumber() / config.risk.maxConcurrentPositions,
        feeRate: Number(market.takerFee),
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
      available -= sizing.notional * (1 + Number(market.takerFee));
      planned.push({
        symbol: entry.symbol,
        amount: sizing.amount,
        stopLoss: entry.stopLoss,
        takeProfit: entry.takeProfit,
      });
    }
    if (planned.length === 0) return;
    await this.setState(bot.id, 'EXECUTION');
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
            botId: bot.id,
            preset: bot.preset,
            source: 'bot',
          },
          `bot:${bot.name}`,
        );
      } catch (error) {
        this.logger.warn(`bot ${bot.name}: entry in ${entry.symbol} refused: ${String(error)}`);
        this.alert(
          'warning',
          'ENTRY_REFUSED',
          `${bot.name}: entry in ${entry.symbol} refused: ${String(error)}`,
          bot.id,
        );
      }
    }
  }

  /** Every cycle: the bot's state from its positions and pause. */
  private async manage(runtime: BotRuntime): Promise<void> {
    const { bot } = runtime;
    const live = await this.trades.liveOfBot(bot.id);
    const state: EngineState = bot.paused ? 'PAUSED' : live.length > 0 ? 'MANAGING' : 'SIGNAL_WAIT';
    await this.setState(bot.id, state, bot.paused ? bot.pauseReason : null);
  }

  /**
   * The exit policy at a candle's close: the stop or target when the candle reached one the trade
   * guard has not acted on (it watches ticks; this catches what fell between them), else the time
   * stop or the strategy's sell, else the trailing stop moves to the close.
   */
  private async applyExitPolicy(
    runtime: BotRuntime,
    trade: Trade,
    candle: Candle,
    sell: boolean,
  ): Promise<void> {
    const { bot, config } = runtime;
    const amount = new Money(trade.entryAmount);
    if (!amount.gt(0)) return;
    const position: HeldPosition = {
      side: trade.side,
      entryTime: trade.openedAt?.getTime() ?? candle.openTime,
      entryPrice: new Money(trade.entryCost).div(amount).toNumber(),
      amount: amount.toNumber(),
      stopLoss: trade.stopLoss === null ? null : Number(trade.stopLoss),
      takeProfit: trade.takeProfit === null ? null : Number(trade.takeProfit),
      initialRisk: trade.initialRisk === null ? 0 : Number(trade.initialRisk),
    };
    const span = TIMEFRAME_MS[config.timeframe];
    const level = levelReached(position, candle.low, candle.high);
    const decision = level
      ? { exit: level }
      : atCandleClose(
          position,
          { closeTime: candle.openTime + span, close: candle.close },
          sell,
          config.risk,
        );
    const actor = `bot:${bot.name}`;
    if (decision.exit) {
      await this.trades
        .close(trade.id, decision.exit, actor)
        .catch((error: unknown) =>
          this.logger.warn(`bot ${bot.name}: ${decision.exit} of ${trade.id} failed: ${errorMessage(error)}`),
        );
      return;
    }
    if (decision.trailTo === null) return;
    await this.trades
      .updateLevels(trade.id, { stopLoss: String(decision.trailTo) })
      .catch((error: unknown) =>
        this.logger.warn(`bot ${bot.name}: trailing stop of ${trade.id} not moved: ${errorMessage(error)}`),
      );
  }

  // ---- state and events ------------------------------------------------------------------------

  private refresh(botId: string, changes: Partial<Bot>): void {
    const runtime = this.runtimes.get(botId);
    if (runtime) Object.assign(runtime.bot, changes);
  }

  private async setState(botId: string, state: EngineState, reason: string | null = null): Promise<void> {
    const runtime = this.runtimes.get(botId);
    const bot = runtime?.bot ?? (await this.get(botId));
    if (bot.state === state) return;
    await this.bots.update({ id: botId }, { state });
    this.announce(bot, state, reason);
  }

  private announce(bot: Bot, state: EngineState, reason: string | null): void {
    const previous = bot.state;
    bot.state = state;
    this.refresh(bot.id, { state });
    this.events.publish('engine.state', {
      botId: bot.id,
      bot: bot.name,
      state,
      previous,
      preset: bot.preset,
      mode: bot.mode,
      reason,
      at: this.clock.now().toISOString(),
    });
  }

  private alert(
    level: 'info' | 'warning' | 'critical',
    code: string,
    message: string,
    botId: string | null,
  ): void {
    this.events.publish('alert.raised', {
      level,
      source: 'engine',
      code,
      message,
      botId,
      at: this.clock.now().toISOString(),
    });
  }
}
