import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { MarketDataService } from '../market/market-data.service';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { PresetsService } from '../presets/presets.service';
import { ScannerService } from '../scanner/scanner.service';
import type { Trade } from '../trading/trade.entity';
import { TradesService } from '../trading/trades.service';
import { TradingVenues } from '../trading/trading-venues.service';
import { Bot } from './bot.entity';
import { readRisk, RiskReading } from './risk-manager';

export const DEFAULT_BOT = 'default';
const DAY_MS = 86_400_000;
/** How many of a bot's newest closed trades its status reads for the losing streak. */
const STREAK_LOOKBACK = 100;

export interface BotSettings {
  name: string;
  preset: string;
  mode: 'paper' | 'live';
  accountId?: string | null;
  symbols?: string[] | null;
  /** See EngineStartDto: a shared paper account, and the bot's capital or share of its account. */
  sharedPaperAccount?: string;
  capital?: number;
  capitalPercent?: number;
}

/** A paper bot's own account, unless it shares one. */
export function ownPaperAccountOf(botName: string): string {
  return `bot-${botName}`;
}

/** Where a bot's capital is, as stored on it. */
function capitalColumns(
  settings: BotSettings,
): Pick<Bot, 'paperAccount' | 'sharedAccount' | 'capital' | 'capitalPercent'> {
  const paper = settings.mode === 'paper';
  return {
    paperAccount: paper ? (settings.sharedPaperAccount ?? ownPaperAccountOf(settings.name)) : null,
    sharedAccount: !paper || settings.sharedPaperAccount !== undefined,
    capital: settings.capital === undefined ? null : String(settings.capital),
    capitalPercent: settings.capitalPercent === undefined ? null : String(settings.capitalPercent),
  };
}

/** Bots as stored: their settings, and what their trades say about their risk. */
@Injectable()
export class BotsService {
  constructor(
    @InjectRepository(Bot) private readonly bots: Repository<Bot>,
    private readonly presets: PresetsService,
    private readonly scanner: ScannerService,
    private readonly trades: TradesService,
    private readonly venues: TradingVenues,
    private readonly marketData: MarketDataService,
    private readonly clock: Clock,
  ) {}

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

  /** The bots that should be running now (in this instance or another). */
  running(): Promise<Bot[]> {
    return this.bots.findBy({ running: true });
  }

  /** The bot whose signal URL token hashes to this, if any. */
  bySignalTokenHash(hash: string): Promise<Bot | null> {
    return this.bots.findOneBy({ signalTokenHash: hash });
  }

  /** Sets (or, with null, revokes) the hash of the bot's signal URL token. */
  async setSignalToken(id: string, hash: string | null, createdAt: Date | null): Promise<void> {
    await this.bots.update({ id }, { signalTokenHash: hash, signalTokenCreatedAt: createdAt });
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
        ...capitalColumns(settings),
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0)
      throw ApiError.conflict(`A bot named ${settings.name} exists`);
    const bot = await this.get(id);
    await this.openOwnAccount(bot);
    return bot;
  }

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
        ...capitalColumns({ ...settings, name: DEFAULT_BOT }),
      },
    );
    const bot = await this.get(existing.id);
    await this.openOwnAccount(bot);
    return bot;
  }

  /** A paper bot's own account, funded with its capital when it is first used (later it keeps its results). */
  private async openOwnAccount(bot: Bot): Promise<void> {
    if (bot.mode === 'paper' && !bot.sharedAccount && bot.paperAccount)
      await this.venues.openPaperAccount(bot.paperAccount, bot.capital ?? undefined);
  }

  private async checkSettings(settings: BotSettings): Promise<void> {
    const preset = await this.presets.get(settings.preset);
    if (settings.mode === 'live' && !settings.accountId)
      throw ApiError.validation('accountId: live mode trades on an exchange account; give its id');
    if (settings.mode === 'paper' && settings.accountId)
      throw ApiError.validation('accountId: paper mode trades on the paper exchange; leave accountId out');
    if (settings.capital !== undefined && settings.capitalPercent !== undefined)
      throw ApiError.validation('capital, capitalPercent: give the bot a capital or a percentage, not both');
    if (settings.sharedPaperAccount !== undefined && settings.mode !== 'paper')
      throw ApiError.validation('sharedPaperAccount: only a paper bot trades on a paper account');
    if (settings.capitalPercent !== undefined && settings.mode === 'paper' && !settings.sharedPaperAccount)
      throw ApiError.validation(
        "capitalPercent: a paper bot's own account is funded with capital; a percentage is a share of a shared account (sharedPaperAccount)",
      );
    if (settings.accountId) await this.venues.resolve(settings.accountId);
    if (
      preset.config.kind === 'dca' &&
      !settings.symbols?.length &&
      !preset.config.scannerConfig.universe?.length
    )
      throw ApiError.validation(
        `symbols: a DCA bot trades a list of pairs; give symbols, or a universe in ${preset.name}'s scannerConfig`,
      );
    if (settings.symbols) {
      const source = await this.marketData.candleSource(settings.accountId);
      this.scanner.universeOf(preset.config, settings.symbols, source);
    }
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

  /** The risk reading over every trade closed since the bot was started or resumed (its run). */
  async runRiskOf(bot: Bot): Promise<RiskReading> {
    const closed = await this.trades.closedOfBot(bot.id, bot.riskWindowStart ?? new Date(0));
    return readRisk(closed, []);
  }

  /** How the bot's trades of this run (since it was started or resumed) were sized. */
  sizingOf(bot: Bot): ReturnType<TradesService['sizingOfBot']> {
    return this.trades.sizingOfBot(bot.id, bot.riskWindowStart ?? new Date(0));
  }

  async openTradesOf(botId: string): Promise<Trade[]> {
    return this.trades.liveOfBot(botId);
  }

  async tradeCountOf(botId: string): Promise<number> {
    return this.trades.countOfBot(botId);
  }
}
