import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { errorMessage } from '../platform/errors/error-message';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { PresetsService } from '../presets/presets.service';
import { OrdersService } from '../trading/orders.service';
import { TradesService } from '../trading/trades.service';
import { Bot } from './bot.entity';
import { BotExit, BotKinds } from './bot-kinds';
import { BotRuntimes } from './bot-runtimes';
import { BotStates } from './bot-states';
import { BotsService } from './bots.service';
import { EngineService } from './engine.service';
import { EngineCommand, EngineState } from './engine-state';

export interface CommandOutcome {
  message: string;
  bot: Bot;
}

/** What people tell a bot: start, stop, pause, resume, retry, time stop, panic exit, kill switch. */
@Injectable()
export class EngineCommands {
  private readonly logger = new Logger('Engine');

  constructor(
    @InjectRepository(Bot) private readonly bots: Repository<Bot>,
    private readonly botsService: BotsService,
    private readonly runner: EngineService,
    private readonly runtimes: BotRuntimes,
    private readonly kinds: BotKinds,
    private readonly states: BotStates,
    private readonly presets: PresetsService,
    private readonly trades: TradesService,
    private readonly orders: OrdersService,
    private readonly clock: Clock,
  ) {}

  async command(
    botId: string,
    command: EngineCommand,
    options: { reason?: string; parameters?: Record<string, unknown>; isAdmin: boolean; actor: string },
  ): Promise<CommandOutcome> {
    const bot = await this.botsService.get(botId);
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
        return this.start(await this.botsService.get(botId));
      }
      case 'pause':
        return run(() => this.pause(bot, reason ?? 'paused by command'));
      case 'resume':
        return run(() => this.resume(bot));
      case 'stop_entries':
        await this.bots.update({ id: bot.id }, { stopEntries: true });
        this.states.refresh(bot.id, { stopEntries: true });
        return {
          message: 'No new entries; open positions are still managed',
          bot: await this.botsService.get(bot.id),
        };
      case 'time_stop':
        return run(() => this.timeStop(bot, options.parameters?.olderThanMinutes, options.actor));
      case 'panic_exit':
        return run(() => this.panicExit(bot, reason ?? 'panic_exit', options.actor, false));
      case 'kill_switch':
        return run(() => this.panicExit(bot, reason ?? 'kill_switch', options.actor, true));
      case 'reset_kill_switch':
        if (!options.isAdmin) throw ApiError.forbidden('Resetting the kill switch needs the ADMIN role');
        await this.bots.update({ id: bot.id }, { killSwitch: false, state: 'IDLE', lastError: null });
        this.states.announce(bot, 'IDLE', 'kill switch reset');
        return {
          message: 'Kill switch reset: the bot may start again',
          bot: await this.botsService.get(bot.id),
        };
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
    const adopted = await this.runner.adopt(await this.botsService.get(bot.id));
    return {
      message: adopted ? 'Engine started successfully' : 'Engine started; another instance runs it',
      bot: await this.botsService.get(bot.id),
    };
  }

  private async stop(bot: Bot, cancelOrders: boolean, reason: string | null): Promise<CommandOutcome> {
    await this.bots.update({ id: bot.id }, { running: false, stoppedAt: this.clock.now() });
    let canceled = 0;
    if (cancelOrders) {
      await this.exitKinds(bot, 'cancel_orders', reason ?? 'stop');
      canceled = await this.cancelOrders(bot);
    }
    await this.runner.drop(bot.id);
    await this.bots.update({ id: bot.id, killSwitch: false }, { state: 'IDLE' });
    this.states.announce(bot, 'IDLE', reason ?? 'stopped');
    return {
      message: `Engine stopped successfully${cancelOrders ? `; ${canceled} order(s) canceled` : ''}`,
      bot: await this.botsService.get(bot.id),
    };
  }

  private async pause(bot: Bot, reason: string): Promise<CommandOutcome> {
    this.requireRunning(bot);
    await this.bots.update({ id: bot.id }, { paused: true, pauseReason: reason, pausedUntil: null });
    this.states.refresh(bot.id, { paused: true, pauseReason: reason, pausedUntil: null });
    await this.states.set(bot.id, 'PAUSED', reason);
    return {
      message: 'Engine paused: no new entries, open positions still managed',
      bot: await this.botsService.get(bot.id),
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
    this.states.refresh(bot.id, changes);
    await this.states.set(bot.id, 'SIGNAL_WAIT', 'resumed');
    return { message: 'Engine resumed', bot: await this.botsService.get(bot.id) };
  }

  private async retry(bot: Bot): Promise<CommandOutcome> {
    if (bot.state !== 'ERROR') throw ApiError.conflict(`Bot ${bot.name} is ${bot.state}, not in ERROR`);
    await this.bots.update({ id: bot.id }, { lastError: null });
    const runtime = this.runtimes.get(bot.id);
    if (runtime) runtime.consecutiveErrors = 0;
    this.states.refresh(bot.id, { lastError: null });
    await this.states.set(bot.id, bot.paused ? 'PAUSED' : 'SIGNAL_WAIT', 'retry');
    return { message: 'Engine retrying', bot: await this.botsService.get(bot.id) };
  }

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
      bot: await this.botsService.get(bot.id),
    };
  }

  private async panicExit(bot: Bot, reason: string, actor: string, kill: boolean): Promise<CommandOutcome> {
    await this.bots.update({ id: bot.id }, { running: false, killSwitch: kill, stoppedAt: this.clock.now() });
    await this.runner.drop(bot.id);
    this.states.announce(bot, 'EMERGENCY', reason);
    // Deals first: their ladders would otherwise be put back as the engine cancels their orders.
    const kinds = await this.exitKinds(bot, 'sell_all', kill ? 'kill_switch' : 'panic_exit');
    const canceled = await this.cancelOrders(bot);
    let closed = kinds.sold;
    const failures: string[] = [...kinds.failures];
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
    if (!kill) this.states.announce(bot, 'IDLE', reason);
    this.states.alert('critical', kill ? 'KILL_SWITCH' : 'PANIC_EXIT', `${bot.name}: ${reason}`, bot.id);
    const tail = failures.length ? `; not closed: ${failures.join('; ')}` : '';
    return {
      message: `${kill ? 'Kill switch' : 'Panic exit'}: ${canceled} order(s) canceled, ${closed} position(s) closed${tail}`,
      bot: await this.botsService.get(bot.id),
    };
  }

  /** Every bot kind's exit for the bot (a DCA bot's deals end); failures are reported, not thrown. */
  private async exitKinds(bot: Bot, exit: BotExit, reason: string) {
    let sold = 0;
    const failures: string[] = [];
    for (const runner of this.kinds.all()) {
      try {
        const outcome = await runner.exit(bot, exit, reason);
        sold += outcome.sold;
        failures.push(...outcome.failures);
      } catch (error) {
        failures.push(errorMessage(error));
      }
    }
    return { sold, failures };
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
}
