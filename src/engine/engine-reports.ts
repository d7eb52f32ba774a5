import type { PresetConfig } from '../presets/preset-config';
import { Injectable } from '@nestjs/common';
import { Clock } from '../platform/time/clock';
import { PresetsService } from '../presets/presets.service';
import { Bot } from './bot.entity';
import { BotCapitalDto, BotDto, CommandResultDto, EngineMetricsDto, EngineStatusDto } from './dto/engine.dto';
import { TradingVenues } from '../trading/trading-venues.service';
import { BotCapital } from './bot-capital';

/** The currency a bot's status counts its equity in (the simulated market's and most exchanges' quote). */
const QUOTE = 'USDT';
import { EngineCommand } from './engine-state';
import { BotsService, DEFAULT_BOT } from './bots.service';
import type { CommandOutcome } from './engine-commands';
import { EngineService } from './engine.service';

/** Seed 002's status and metrics of a bot, from its row, its runtime here and its trades. */
@Injectable()
export class EngineReports {
  constructor(
    private readonly engine: EngineService,
    private readonly bots: BotsService,
    private readonly presets: PresetsService,
    private readonly clock: Clock,
    private readonly venues: TradingVenues,
    private readonly capital: BotCapital,
  ) {}

  async status(bot: Bot | null): Promise<EngineStatusDto> {
    if (!bot)
      return {
        state: 'IDLE',
        preset: null,
        mode: null,
        startedAt: null,
        slots: 0,
        freeSlots: 0,
        openPositions: 0,
        latencyMs: null,
        dailyR: 0,
        consecutiveLosses: 0,
        meanRiskShare: null,
        sizedBy: { risk: 0, cash: 0, slot: 0 },
        capital: null,
        botId: null,
        name: DEFAULT_BOT,
        running: false,
        runningHere: false,
        paused: false,
        pauseReason: null,
        pausedUntil: null,
        stopEntries: false,
        killSwitch: false,
        lastError: null,
        processedThrough: null,
      };
    const runtime = this.engine.runtimeOf(bot.id);
    const current = runtime?.bot ?? bot;
    const slots = runtime ? slotsOf(runtime.config) : await this.slotsOf(bot.preset);
    const [open, risk, sizing, capital] = await Promise.all([
      this.bots.openTradesOf(bot.id),
      this.bots.riskOf(current),
      this.bots.sizingOf(current),
      this.capitalOf(current),
    ]);
    return {
      state: current.state,
      preset: current.preset,
      mode: current.mode,
      startedAt: current.startedAt?.toISOString() ?? null,
      slots,
      freeSlots: Math.max(0, slots - open.length),
      openPositions: open.length,
      latencyMs: runtime?.lastLatencyMs === null || !runtime ? null : round2(runtime.lastLatencyMs),
      dailyR: risk.dailyR,
      consecutiveLosses: risk.consecutiveLosses,
      meanRiskShare: sizing.meanRiskShare,
      sizedBy: sizing.sizedBy,
      capital,
      botId: current.id,
      name: current.name,
      running: current.running,
      runningHere: runtime !== undefined,
      paused: current.paused,
      pauseReason: current.pauseReason,
      pausedUntil: current.pausedUntil?.toISOString() ?? null,
      stopEntries: current.stopEntries,
      killSwitch: current.killSwitch,
      lastError: current.lastError,
      processedThrough: current.processedThrough?.toISOString() ?? null,
    };
  }

  async metrics(bot: Bot | null): Promise<EngineMetricsDto> {
    if (!bot)
      return {
        uptime: 0,
        cycleCount: 0,
        avgLatencyMs: null,
        totalSignals: 0,
        totalTrades: 0,
        dailyPnlR: 0,
        maxDrawdownR: 0,
        dailyMaxDrawdownR: 0,
      };
    const runtime = this.engine.runtimeOf(bot.id);
    const current = runtime?.bot ?? bot;
    const [risk, run, totalTrades] = await Promise.all([
      this.bots.riskOf(current),
      this.bots.runRiskOf(current),
      this.bots.tradeCountOf(bot.id),
    ]);
    return {
      uptime: runtime ? Math.max(0, Math.round((this.clock.nowMs() - runtime.startedAtMs) / 1000)) : 0,
      cycleCount: runtime?.cycleCount ?? 0,
      avgLatencyMs:
        runtime && runtime.cycleCount > 0 ? round2(runtime.latencyTotalMs / runtime.cycleCount) : null,
      totalSignals: current.signalCount,
      totalTrades,
      dailyPnlR: risk.dailyR,
      maxDrawdownR: run.maxDrawdownR,
      dailyMaxDrawdownR: risk.maxDrawdownR,
    };
  }

  private async capitalOf(bot: Bot): Promise<BotCapitalDto> {
    const funds = await this.venues
      .resolve(bot.accountId ?? undefined, bot.paperAccount ?? undefined)
      .then((venue) => this.capital.of(bot, venue, QUOTE))
      .catch(() => null);
    return {
      paperAccount: bot.paperAccount,
      sharedAccount: bot.sharedAccount,
      capital: bot.capital === null ? null : Number(bot.capital),
      capitalPercent: bot.capitalPercent === null ? null : Number(bot.capitalPercent),
      equity: funds ? round2(funds.equity) : null,
      accountEquity: funds ? round2(funds.accountEquity) : null,
    };
  }

  /** The answer to a command: what was done, when, and the bot's status after it. */
  async commandResult(command: EngineCommand, outcome: CommandOutcome): Promise<CommandResultDto> {
    return {
      success: true,
      message: outcome.message,
      command,
      timestamp: this.clock.now().toISOString(),
      status: await this.status(outcome.bot),
    };
  }

  async bot(bot: Bot): Promise<BotDto> {
    const [{ botId: _botId, ...status }, metrics] = await Promise.all([this.status(bot), this.metrics(bot)]);
    return { id: bot.id, ...status, accountId: bot.accountId, symbols: bot.symbols, metrics };
  }

  private async slotsOf(preset: string): Promise<number> {
    return this.presets
      .get(preset)
      .then((found) => slotsOf(found.config))
      .catch(() => 0);
  }
}

/** Positions a bot of this preset holds at most: its open positions, or a DCA bot's deals. */
function slotsOf(config: PresetConfig): number {
  return config.kind === 'dca' && config.dca ? config.dca.maxActiveDeals : config.risk.maxConcurrentPositions;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
