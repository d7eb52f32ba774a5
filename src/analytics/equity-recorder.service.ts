import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BotCapital } from '../engine/bot-capital';
import type { Bot } from '../engine/bot.entity';
import { BotsService } from '../engine/bots.service';
import type { ExchangePort } from '../exchange/exchange-port';
import { errorMessage } from '../platform/errors/error-message';
import { JobQueue } from '../platform/jobs/job-queue';
import { Clock } from '../platform/time/clock';
import { unrealizedOf } from '../trading/trade-view';
import { TradingVenue, TradingVenues } from '../trading/trading-venues.service';
import type { EquityScope } from './equity-point.entity';
import { EquityPoints, EquityRow } from './equity-points.repository';
import { TradeStatistics, LedgerScope } from '../trading/trade-statistics.repository';

/** Equity is valued in this currency (the paper exchange's and the simulated market's quote). */
export const EQUITY_CURRENCY = 'USDT';
export const EQUITY_SNAPSHOT_QUEUE = 'analytics.equity-snapshot';
export const EQUITY_ROLLUP_QUEUE = 'analytics.equity-rollup';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Minute points are kept a week, hourly ones two years, daily ones for ever. */
export const MINUTE_RETENTION_MS = 7 * DAY_MS;
export const HOUR_RETENTION_MS = 730 * DAY_MS;

/**
 * Records every minute (once across instances) the mark-to-market equity of every paper account,
 * exchange account and running bot, with realised and unrealised PnL and cumulative R; every hour
 * rolls the minutes up into hours and days and drops what is past its retention.
 */
@Injectable()
export class EquityRecorder implements OnModuleInit {
  private readonly logger = new Logger('Equity');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bots: BotsService,
    private readonly points: EquityPoints,
    private readonly ledger: TradeStatistics,
    private readonly venues: TradingVenues,
    private readonly botCapital: BotCapital,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.define(
      EQUITY_SNAPSHOT_QUEUE,
      { retryLimit: 0, exclusive: true, pollSeconds: 5 },
      async () => ({
        recorded: await this.recordNow(),
      }),
    );
    await this.jobs.schedule(EQUITY_SNAPSHOT_QUEUE, '* * * * *');
    await this.jobs.define(EQUITY_ROLLUP_QUEUE, { retryLimit: 1, exclusive: true, pollSeconds: 30 }, () =>
      this.rollUp(),
    );
    await this.jobs.schedule(EQUITY_ROLLUP_QUEUE, '2 * * * *');
  }

  /** Measures every account and running bot now and stores the minute's points; how many it stored. */
  async recordNow(): Promise<number> {
    const now = this.clock.nowMs();
    const minute = new Date(Math.floor(now / MINUTE_MS) * MINUTE_MS);
    const rows: EquityRow[] = [];
    const measure = async (scope: EquityScope, scopeId: string, work: () => Promise<EquityRow>) => {
      try {
        rows.push(await work());
      } catch (error) {
        // An exchange away for a moment: that account has no point this minute.
        this.logger.warn(`equity of ${scope} ${scopeId} not measured: ${errorMessage(error)}`);
      }
    };
    const paper = await this.dataSource.query<Array<{ name: string }>>('SELECT name FROM paper_accounts');
    for (const { name } of paper)
      await measure('paper', name, async () =>
        this.accountRow('paper', name, await this.venues.resolve(undefined, name)),
      );
    const exchanges = await this.dataSource.query<Array<{ id: string }>>('SELECT id FROM exchange_accounts');
    for (const { id } of exchanges)
      await measure('exchange', id, async () =>
        this.accountRow('exchange', id, await this.venues.resolve(id)),
      );
    const bots = await this.bots.running();
    for (const bot of bots) await measure('bot', bot.id, () => this.botRow(bot));
    await this.points.saveMinute(rows, minute);
    return rows.length;
  }

  /** One scope's point now (not stored); null for a bot that does not exist. */
  async measure(scope: EquityScope, id: string): Promise<EquityRow | null> {
    if (scope === 'paper') return this.accountRow('paper', id, await this.venues.resolve(undefined, id));
    if (scope === 'exchange') return this.accountRow('exchange', id, await this.venues.resolve(id));
    const bot = await this.bots.get(id).catch(() => null);
    return bot ? this.botRow(bot) : null;
  }

  /** An account's equity: each balance at its price in EQUITY_CURRENCY (coins held are the open positions). */
  private async accountRow(scope: 'paper' | 'exchange', id: string, venue: TradingVenue): Promise<EquityRow> {
    const prices = new PriceBook(venue.exchange);
    let value = 0;
    for (const balance of await venue.exchange.balances()) {
      const total = Number(balance.total);
      if (!(total > 0)) continue;
      const price =
        balance.currency === EQUITY_CURRENCY ? 1 : await prices.of(`${balance.currency}/${EQUITY_CURRENCY}`);
      if (price !== null) value += total * price;
    }
    return {
      ...(await this.pnlOf({ venue: scope, accountId: id }, prices)),
      scope,
      scopeId: id,
      currency: EQUITY_CURRENCY,
      value,
    };
  }

  /** A bot's equity: its capital (or share of its account) plus its trades' results. */
  private async botRow(bot: Bot): Promise<EquityRow> {
    const venue = await this.venues.resolve(
      bot.mode === 'live' ? bot.accountId! : undefined,
      bot.paperAccount ?? undefined,
    );
    const funds = await this.botCapital.of(bot, venue, EQUITY_CURRENCY);
    const pnl = await this.pnlOf({ botId: bot.id }, new PriceBook(venue.exchange));
    return { ...pnl, scope: 'bot', scopeId: bot.id, currency: EQUITY_CURRENCY, value: funds.equity };
  }

  private async pnlOf(scope: LedgerScope, prices: PriceBook) {
    const totals = await this.ledger.totals(scope);
    let unrealizedPnl = 0;
    for (const trade of await this.ledger.open(scope))
      unrealizedPnl += unrealizedOf(trade, await prices.of(trade.symbol)).toNumber();
    return { realizedPnl: totals.realizedPnl, unrealizedPnl, cumulativeR: totals.cumulativeR };
  }

  /** Hours and days from the last two days' points (re-done buckets get the same values), then retention. */
  async rollUp(): Promise<{ hours: number; days: number; deleted: number }> {
    const now = this.clock.nowMs();
    const hours = await this.points.rollUp(
      'minute',
      'hour',
      new Date(Math.floor(now / DAY_MS) * DAY_MS - DAY_MS),
    );
    const days = await this.points.rollUp(
      'hour',
      'day',
      new Date(Math.floor(now / DAY_MS) * DAY_MS - 2 * DAY_MS),
    );
    const deleted =
      (await this.points.deleteOlder('minute', new Date(now - MINUTE_RETENTION_MS))) +
      (await this.points.deleteOlder('hour', new Date(now - HOUR_RETENTION_MS)));
    return { hours, days, deleted };
  }
}

/** Last prices of one venue, each symbol asked once; null where the venue has no such market. */
class PriceBook {
  private readonly known = new Map<string, number | null>();

  constructor(private readonly exchange: ExchangePort) {}

  async of(symbol: string): Promise<number | null> {
    if (!this.known.has(symbol)) {
      const ticker = await this.exchange.ticker(symbol).catch(() => null);
      this.known.set(symbol, ticker?.last ?? null);
    }
    return this.known.get(symbol)!;
  }
}
