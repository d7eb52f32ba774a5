import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { MarketDataService } from '../market/market-data.service';
import { TIMEFRAME_MS } from '../market/timeframes';
import { SerialQueue } from '../platform/async/serial-queue';
import { errorMessage } from '../platform/errors/error-message';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { StatsSummary } from '../platform/metrics/recent-stats';
import { FactorTape, mlGatedStrategy } from '../ml/ml-gated-strategy';
import { MlModels } from '../ml/ml-models.service';
import { Clock } from '../platform/time/clock';
import { CandleStreams } from './candle-streams';
import { PresetsService } from '../presets/presets.service';
import { StrategiesService } from '../strategies/strategies.service';
import { resolveParameters } from '../strategies/strategy';
import { readsStrategySignals } from '../presets/preset-config';
import { BotKinds } from './bot-kinds';
import { Bot } from './bot.entity';
import { BotDecision } from './bot-decision';
import { BotRuntime } from './bot-runtime';
import { BotRuntimes } from './bot-runtimes';
import { BotStates } from './bot-states';
import type { EngineState } from './engine-state';

/** Cycles failing in a row before a bot stops in ERROR (retry brings it back). */
const MAX_CONSECUTIVE_ERRORS = 3;

/** The lease that lets one instance run a bot (the lock name the bots have always had). */
function botLease(botId: string): string {
  return `bot:${botId}`;
}

/**
 * The engine's runner: takes up every running bot whose lease this instance can hold and runs one
 * cycle of each a second (BotDecision decides; the trade guard watches stops and targets between
 * candles). Commands (EngineCommands) start and stop bots through it.
 */
@Injectable()
export class EngineService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Engine');
  private readonly adopting = new Map<string, Promise<boolean>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly passes = new SerialQueue();
  private stopped = false;

  constructor(
    @InjectRepository(Bot) private readonly bots: Repository<Bot>,
    private readonly runtimes: BotRuntimes,
    private readonly decision: BotDecision,
    private readonly states: BotStates,
    private readonly presets: PresetsService,
    private readonly strategies: StrategiesService,
    private readonly marketData: MarketDataService,
    private readonly leases: AdvisoryLeases,
    private readonly kinds: BotKinds,
    private readonly models: MlModels,
    private readonly candleStreams: CandleStreams,
    private readonly clock: Clock,
  ) {}

  /** A streamed candle closed: decide now rather than at the next poll (unless a pass is already queued). */
  private nudge(): void {
    if (this.passes.pending <= 1 && !this.stopped)
      void this.tick().catch((error: unknown) => this.logger.warn(`engine pass failed: ${String(error)}`));
  }

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
        this.candleStreams.unfollow(botId);
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

  /** Count, mean, min and max duration (seconds) of this instance's last 1,000 bot cycles. */
  cycleTimes(): StatsSummary {
    return this.runtimes.cycleSeconds.summary(4);
  }

  runtimeOf(botId: string): BotRuntime | undefined {
    return this.runtimes.get(botId);
  }

  /**
   * Starts running a bot here if its lease is free: loads its preset and warms up its strategy
   * streams. A start command and the timer's pass may both ask at once: they share one attempt.
   */
  adopt(bot: Bot): Promise<boolean> {
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
      const base = this.strategies.get(preset.config.strategy.name);
      const { params } = resolveParameters(base, preset.config.strategy.parameters);
      const source = await this.marketData.candleSource(bot.accountId);
      const { ml, timeframe } = preset.config;
      const span = TIMEFRAME_MS[timeframe];
      // An ML preset's streams ask the active model of its timeframe, reading the market factor's returns.
      const factor = ml && preset.config.kind === 'strategy' ? new FactorTape(span) : null;
      const strategy = factor
        ? mlGatedStrategy(
            base,
            ml!,
            span,
            () => this.models.active(ml!.modelType, timeframe),
            (openTime) => factor.get(openTime),
          )
        : base;
      if (factor) await this.models.refresh();
      const runtime = new BotRuntime(
        bot,
        preset.config,
        strategy,
        params,
        source,
        this.clock.nowMs(),
        factor,
      );
      this.runtimes.set(bot.id, runtime);
      await runtime.queue.run(async () => {
        await this.states.set(bot.id, 'INITIALIZING', 'warming up');
        const newest = this.newestClosedOpen(runtime);
        // A fresh start acts on candles closing from now on; a resumed bot goes on where it stopped.
        if (!bot.processedThrough) {
          await this.bots.update({ id: bot.id }, { processedThrough: new Date(newest) });
          runtime.bot.processedThrough = new Date(newest);
        }
        if (readsStrategySignals(runtime.config)) await this.decision.feed(runtime, newest);
        const state: EngineState = bot.paused ? 'PAUSED' : 'SIGNAL_WAIT';
        await this.states.set(bot.id, state, bot.paused ? bot.pauseReason : 'running');
      });
      this.logger.log(`bot ${bot.name} runs ${bot.preset} (${bot.mode}) in this instance`);
      return true;
    } catch (error) {
      this.runtimes.delete(bot.id);
      await this.leases.release(botLease(bot.id));
      throw error;
    }
  }

  async drop(botId: string): Promise<void> {
    const runtime = this.runtimes.get(botId);
    this.runtimes.delete(botId);
    this.candleStreams.unfollow(botId);
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
        const runner = this.kinds.runnerOf(runtime.config);
        if (runner) {
          await runner.cycle(runtime);
          runtime.consecutiveErrors = 0;
          return;
        }
        await this.decision.checkRisk(runtime);
        const newest = this.newestClosedOpen(runtime);
        if (newest > (bot.processedThrough?.getTime() ?? -Infinity))
          await this.decision.decide(runtime, newest);
        await this.candleStreams.follow(runtime, [...runtime.streams.keys()], () => this.nudge());
        await this.decision.manage(runtime);
        runtime.consecutiveErrors = 0;
      } catch (error) {
        runtime.consecutiveErrors++;
        const message = errorMessage(error);
        this.logger.warn(`bot ${bot.name}: cycle failed (${runtime.consecutiveErrors} in a row): ${message}`);
        await this.bots.update({ id: bot.id }, { lastError: message.slice(0, 500) });
        bot.lastError = message.slice(0, 500);
        if (runtime.consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
          await this.states.set(bot.id, 'ERROR', message);
          this.states.alert('critical', 'BOT_ERROR', `${bot.name} stopped in ERROR: ${message}`, bot.id);
        }
      } finally {
        const latency = performance.now() - started;
        runtime.cycleCount++;
        runtime.latencyTotalMs += latency;
        runtime.lastLatencyMs = latency;
        this.runtimes.cycleSeconds.add(latency / 1000);
      }
    });
  }
}
