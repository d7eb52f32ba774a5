import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import type { Bot } from '../engine/bot.entity';
import { BotDecision } from '../engine/bot-decision';
import { BotExit, BotKinds } from '../engine/bot-kinds';
import type { BotRuntime } from '../engine/bot-runtime';
import { BotStates } from '../engine/bot-states';
import { BotsService } from '../engine/bots.service';
import { EngineService } from '../engine/engine.service';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { mergeDealSettings } from './dca-settings';
import type { DealSettingsDto } from './dto/dca-deal.dto';
import { requireSymbol } from '../market/symbols';
import { errorMessage } from '../platform/errors/error-message';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { Clock } from '../platform/time/clock';
import type { DcaBotConfig, PresetConfig } from '../presets/preset-config';
import { PresetsService } from '../presets/presets.service';
import { ACTIVE_DEAL_STATUSES, DcaDeal, DealSettings } from './dca-deal.entity';
import { DcaDealOpenings } from './dca-deal-openings.service';
import { DcaDeals, StartDealInput } from './dca-deals.service';

/** After a deal could not be funded, how long a bot waits before it tries to start one again. */
const UNFUNDED_RETRY_MS = 60_000;

/**
 * DCA bots (preset kind `dca`), run by the engine: on each free pair of the bot's list a deal starts
 * as its start condition says, up to maxActiveDeals at once, one per pair, after the pair's cooldown.
 * A pause or stop_entries stops new deals; the deals under way go on (DcaDeals moves them). A panic
 * exit or kill switch sells every deal at market, its ladder cancelled first.
 */
@Injectable()
export class DcaBots implements OnModuleInit {
  private readonly logger = new Logger('DcaBots');
  /** Bots whose last deal could not be funded: not before this time again. */
  private readonly unfundedUntil = new Map<string, number>();

  constructor(
    @InjectRepository(DcaDeal) private readonly deals: Repository<DcaDeal>,
    private readonly openings: DcaDealOpenings,
    private readonly dealEngine: DcaDeals,
    private readonly kinds: BotKinds,
    private readonly decision: BotDecision,
    private readonly states: BotStates,
    private readonly bots: BotsService,
    private readonly presets: PresetsService,
    private readonly engine: EngineService,
    private readonly settings: RuntimeSettings,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.kinds.register('dca', {
      cycle: (runtime) => this.cycle(runtime),
      exit: (bot, exit, reason) => this.exit(bot, exit, reason),
    });
  }

  /** The pairs a DCA bot trades: its own list, else its preset's. */
  static pairsOf(bot: Pick<Bot, 'symbols'>, config: PresetConfig): string[] {
    return bot.symbols?.length ? bot.symbols : (config.scannerConfig.universe ?? []);
  }

  private async cycle(runtime: BotRuntime): Promise<void> {
    const { bot, config } = runtime;
    const dca = dcaOf(config);
    const pairs = DcaBots.pairsOf(bot, config);
    const active = await this.deals.findBy({ botId: bot.id, status: In([...ACTIVE_DEAL_STATUSES]) });
    // A signal bot reads each closed candle once, paused or not, so a resumed bot acts on new signals only.
    const buys = dca.startCondition === 'signal' ? await this.decision.newBuySignals(runtime, pairs) : null;
    const started = await this.startDeals(runtime, dca, pairs, active, buys);
    const running = active.length + started;
    const state = bot.paused ? 'PAUSED' : running > 0 ? 'MANAGING' : 'SIGNAL_WAIT';
    await this.states.set(bot.id, state, bot.paused ? bot.pauseReason : null);
  }

  /** Deals on the free pairs the start condition allows now; how many started. */
  private async startDeals(
    runtime: BotRuntime,
    dca: DcaBotConfig,
    pairs: string[],
    active: DcaDeal[],
    buys: string[] | null,
  ): Promise<number> {
    const { bot } = runtime;
    if (bot.paused || bot.stopEntries || dca.startCondition === 'manual') return 0;
    if (dca.startCondition === 'signal' && !buys?.length) return 0;
    let room = dca.maxActiveDeals - active.length;
    if (room <= 0 || this.clock.nowMs() < (this.unfundedUntil.get(bot.id) ?? 0)) return 0;
    const busy = new Set(active.map((deal) => deal.symbol));
    const cooling = await this.coolingPairs(bot.id, dca.cooldownSeconds);
    const candidates = (buys ?? pairs).filter((pair) => !busy.has(pair) && !cooling.has(pair));
    let started = 0;
    for (const symbol of candidates) {
      if (room <= 0) break;
      try {
        await this.openings.start(this.inputFor(bot, symbol, dca.deal), `bot:${bot.name}`);
        room--;
        started++;
      } catch (error) {
        if (error instanceof ApiError && error.code === String(ErrorCode.INSUFFICIENT_BALANCE)) {
          this.unfundedUntil.set(bot.id, this.clock.nowMs() + UNFUNDED_RETRY_MS);
          this.states.alert('warning', 'DCA_INSUFFICIENT_FUNDS', `${bot.name}: ${error.message}`, bot.id);
          break;
        }
        // A pair refused (its base order, its market): the others still get their deals.
        this.logger.warn(`bot ${bot.name}: no deal on ${symbol}: ${errorMessage(error)}`);
      }
    }
    return started;
  }

  /** Pairs whose last deal of this bot closed less than `cooldownSeconds` ago. */
  private async coolingPairs(botId: string, cooldownSeconds: number): Promise<Set<string>> {
    if (cooldownSeconds === 0) return new Set();
    const since = this.clock.nowMs() - cooldownSeconds * 1000;
    const rows = await this.deals
      .createQueryBuilder('deal')
      .select('deal.symbol', 'symbol')
      .where('deal.botId = :botId', { botId })
      .andWhere('deal.closedAt > :since', { since: new Date(since) })
      .groupBy('deal.symbol')
      .getRawMany<{ symbol: string }>();
    return new Set(rows.map((row) => row.symbol));
  }

  private inputFor(bot: Bot, symbol: string, settings: DealSettings): StartDealInput {
    return {
      symbol,
      settings,
      botId: bot.id,
      ...(bot.mode === 'live' ? { accountId: bot.accountId! } : { paperAccount: bot.paperAccount! }),
    };
  }

  /**
   * A deal started by hand for a DCA bot (3Commas' "start new deal"): on its account, with its
   * preset's deal settings unless others are given, within its maxActiveDeals and one deal per pair.
   */
  async startForBot(
    botId: string,
    symbol: string,
    changes: DealSettingsDto | null,
    actor: string | null,
  ): Promise<DcaDeal> {
    const bot = await this.bots.get(botId);
    const { config } = await this.presets.get(bot.preset);
    if (config.kind !== 'dca')
      throw ApiError.validation(`botId: ${bot.name} runs ${bot.preset}, not a DCA preset`);
    const dca = dcaOf(config);
    const pair = requireSymbol(symbol);
    if (!DcaBots.pairsOf(bot, config).includes(pair))
      throw ApiError.validation(`symbol: ${pair} is not one of ${bot.name}'s pairs`);
    const settings = changes ? mergeDealSettings(dca.deal, changes, this.settings) : dca.deal;
    const start = async () => {
      // Read again in the bot's queue: a command (panic exit, pause) may have changed it meanwhile.
      const now = await this.bots.get(botId);
      if (now.killSwitch) throw ApiError.conflict(`${now.name} was stopped by its kill switch`);
      if (!now.running) throw ApiError.conflict(`${now.name} is not running: start it first`);
      if (now.paused || now.stopEntries)
        throw ApiError.conflict(
          `${now.name} takes no new deals now (${now.paused ? 'paused' : 'stop_entries'})`,
        );
      const active = await this.deals.findBy({ botId: now.id, status: In([...ACTIVE_DEAL_STATUSES]) });
      if (active.some((deal) => deal.symbol === pair))
        throw ApiError.conflict(`${now.name} has a deal on ${pair} under way`);
      if (active.length >= dca.maxActiveDeals)
        throw ApiError.conflict(`${now.name} has ${active.length} deals under way, its maximum`);
      return this.openings.start(this.inputFor(now, pair, settings), actor);
    };
    // In the bot's queue where it runs here, so its cycles and commands do not interleave with it.
    const runtime = this.engine.runtimeOf(bot.id);
    return runtime ? runtime.queue.run(start) : start();
  }

  private async exit(bot: Bot, exit: BotExit, reason: string) {
    const active = await this.deals.findBy({
      botId: bot.id,
      status: In([...ACTIVE_DEAL_STATUSES]),
      tradeId: Not(IsNull()),
    });
    let sold = 0;
    const failures: string[] = [];
    for (const deal of active) {
      try {
        if (exit === 'sell_all') {
          const closed = await this.dealEngine.panicSell(
            deal.id,
            reason === 'kill_switch' ? 'kill_switch' : 'panic_exit',
          );
          if (closed.status === 'panic_sold') sold++;
        } else await this.dealEngine.cancel(deal.id);
      } catch (error) {
        // A deal that ended meanwhile (its take profit filled) needs nothing more.
        if (error instanceof ApiError && error.getStatus() === 409) continue;
        failures.push(`${deal.symbol} deal: ${errorMessage(error)}`);
      }
    }
    return { sold, failures };
  }
}

function dcaOf(config: PresetConfig): DcaBotConfig {
  if (!config.dca) throw new Error('a dca preset without its dca settings');
  return config.dca;
}
