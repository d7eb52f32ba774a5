import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { EventBus } from '../platform/events/event-bus';
import { Clock } from '../platform/time/clock';
import { Bot } from './bot.entity';
import { BotRuntimes } from './bot-runtimes';
import type { EngineState } from './engine-state';

/** A bot's state as stored and announced (ENGINE_UPDATE), and the engine's alerts. */
@Injectable()
export class BotStates {
  constructor(
    @InjectRepository(Bot) private readonly bots: Repository<Bot>,
    private readonly runtimes: BotRuntimes,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** Applies a change to the bot running here, if it runs here. */
  refresh(botId: string, changes: Partial<Bot>): void {
    const runtime = this.runtimes.get(botId);
    if (runtime) Object.assign(runtime.bot, changes);
  }

  /** Stores and announces a bot's state (nothing when it is already in it). */
  async set(botId: string, state: EngineState, reason: string | null = null): Promise<void> {
    const runtime = this.runtimes.get(botId);
    const bot = runtime?.bot ?? (await this.bots.findOneByOrFail({ id: botId }));
    if (bot.state === state) return;
    await this.bots.update({ id: botId }, { state });
    this.announce(bot, state, reason);
  }

  announce(bot: Bot, state: EngineState, reason: string | null): void {
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

  alert(level: 'info' | 'warning' | 'critical', code: string, message: string, botId: string | null): void {
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
