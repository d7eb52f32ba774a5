import { Injectable } from '@nestjs/common';
import type { PresetConfig, PresetKind } from '../presets/preset-config';
import type { Bot } from './bot.entity';
import type { BotRuntime } from './bot-runtime';

/** How a bot exits everything: its orders cancelled (stop with cancelOrders), or all it holds sold. */
export type BotExit = 'cancel_orders' | 'sell_all';

/**
 * What bots of a preset kind other than `strategy` do (a DCA bot runs deals): the module of that kind
 * registers it, so the engine runs and stops them without knowing their rules.
 */
export interface BotKindRunner {
  /** One cycle of a running bot (once a second, in the instance holding its lease). */
  cycle(runtime: BotRuntime): Promise<void>;
  /**
   * Before the engine cancels a bot's orders or sells its positions: ends what this kind would put
   * back on the book (resting ladders), selling at market for `sell_all`. What it could not end, by
   * position; and how many positions it sold. `reason`: stop, panic_exit or kill_switch.
   */
  exit(bot: Bot, exit: BotExit, reason: string): Promise<{ sold: number; failures: string[] }>;
}

@Injectable()
export class BotKinds {
  private readonly runners = new Map<PresetKind, BotKindRunner>();

  register(kind: Exclude<PresetKind, 'strategy'>, runner: BotKindRunner): void {
    this.runners.set(kind, runner);
  }

  /** The runner of a preset's kind; undefined for a strategy preset (the engine's own decisions). */
  runnerOf(config: PresetConfig): BotKindRunner | undefined {
    if (config.kind === 'strategy') return undefined;
    const runner = this.runners.get(config.kind);
    if (!runner) throw new Error(`no runner for bots of kind ${config.kind}`);
    return runner;
  }

  all(): BotKindRunner[] {
    return [...this.runners.values()];
  }
}
