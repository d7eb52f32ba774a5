import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CandleRepository } from '../market/candle.repository';
import type { Candle } from '../market/market-types';
import { TIMEFRAME_MS } from '../market/timeframes';
import { Money } from '../platform/decimal/money';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { Clock } from '../platform/time/clock';
import { ScannerService } from '../scanner/scanner.service';
import type { Signal } from '../strategies/strategy';
import { atCandleClose, HeldPosition, levelReached } from '../trading/exit-policy';
import type { Trade } from '../trading/trade.entity';
import { TradesService } from '../trading/trades.service';
import { Bot } from './bot.entity';
import { BotRuntime, warmupCandles } from './bot-runtime';
import { BotStates } from './bot-states';
import { BotsService } from './bots.service';
import type { EngineState } from './engine-state';
import { EntryExecution, PlannedEntry } from './entry-execution';
import { MARKET_FACTOR_SYMBOL } from '../ml/ml-dataset';
import { breach, withRiskCeilings } from './risk-manager';
import { RuntimeSettings } from '../platform/settings/runtime-settings';

/** How long after a candle's close the engine waits for every symbol's candle before acting without. */
const CANDLE_WAIT_MS = 30_000;

/**
 * What a running bot decides in a cycle: its risk limits, its strategy streams fed with closed
 * candles, the exit policy for what it holds, and the entries its candidates' signals call for.
 */
@Injectable()
export class BotDecision {
  private readonly logger = new Logger('Engine');

  constructor(
    @InjectRepository(Bot) private readonly bots: Repository<Bot>,
    private readonly botsService: BotsService,
    private readonly scanner: ScannerService,
    private readonly candles: CandleRepository,
    private readonly trades: TradesService,
    private readonly execution: EntryExecution,
    private readonly states: BotStates,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly settings: RuntimeSettings,
  ) {}

  /**
   * Pauses the bot with an alert when the day's loss or the losing streak reaches the preset's limit,
   * until the next UTC day or for streakPauseMinutes; lifts such a pause once its time has come.
   */
  async checkRisk(runtime: BotRuntime): Promise<void> {
    const { bot } = runtime;
    const now = this.clock.nowMs();
    if (bot.paused) {
      if (!bot.pausedUntil || bot.pausedUntil.getTime() > now) return;
      if (!(await this.liftPause(runtime))) return;
      // Read again at once: exits went on during a streak pause, and may have reached the day's limit.
    }
    // The preset's limits under the operator's ceilings (runtime settings), as they stand now.
    const risk = withRiskCeilings(runtime.config.risk, this.settings.section('risk'));
    const problem = breach(await this.botsService.riskOf(bot, risk.maxConsecutiveLosses), risk, now);
    if (!problem) return;
    const reason = `risk limit: ${problem.message}`;
    const changes = { paused: true, pauseReason: reason, pausedUntil: problem.until };
    await this.bots.update({ id: bot.id }, changes);
    Object.assign(bot, changes);
    await this.states.set(bot.id, 'PAUSED', reason);
    this.states.alert(
      'warning',
      problem.code,
      `${bot.name} paused until ${problem.until.toISOString()}: ${problem.message}`,
      bot.id,
    );
  }

  /**
   * A risk pause ran its time: the bot enters again and its losing streak starts again from the pause's end (the day's
   * loss stands: a daily pause lifts on a new day anyway). A pause by command given meanwhile stays.
   */
  private async liftPause(runtime: BotRuntime): Promise<boolean> {
    const { bot } = runtime;
    const changes = {
      paused: false,
      pauseReason: null,
      pausedUntil: null,
      // From the pause's end, not from this cycle: a cycle a moment late must not drop an exit between.
      streakWindowStart: bot.pausedUntil,
    };
    const lifted = await this.bots.update(
      { id: bot.id, paused: true, pausedUntil: bot.pausedUntil! },
      changes,
    );
    if (!lifted.affected) return false;
    Object.assign(bot, changes);
    await this.states.set(bot.id, 'SIGNAL_WAIT', 'risk pause lifted');
    this.states.alert('info', 'RISK_PAUSE_LIFTED', `${bot.name} resumed: its risk pause ended`, bot.id);
    return true;
  }

  /**
   * Feeds the stream of every universe symbol, and of every symbol the bot holds, the candles it has
   * not seen, up to `newest` (an open time); returns the symbols it fed.
   */
  async feed(runtime: BotRuntime, newest: number, held: readonly string[] = []): Promise<string[]> {
    const span = TIMEFRAME_MS[runtime.config.timeframe];
    const universe = [
      ...new Set([
        ...this.scanner.universeOf(runtime.config, runtime.bot.symbols, runtime.source),
        ...held,
        ...(runtime.factor ? [MARKET_FACTOR_SYMBOL] : []),
      ]),
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
    runtime.factor?.add(bySymbol.get(MARKET_FACTOR_SYMBOL) ?? []);
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
  async decide(runtime: BotRuntime, newest: number): Promise<void> {
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
    let exited = 0;
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
      if (await this.applyExitPolicy(runtime, trade, candle, signal?.action === 'sell')) exited++;
    }
    if (!bot.paused) {
      // Scan at the preset's interval, counted in candle closes (as a backtest does), not from the
      // moment a cycle ran: a cycle a little earlier after the close than last time is due all the same.
      // Between scans the last candidates stand.
      const closeTime = newest + TIMEFRAME_MS[config.timeframe];
      const due =
        !runtime.lastScan ||
        runtime.lastScanAt === null ||
        closeTime - runtime.lastScanAt >= config.scannerConfig.scanIntervalSeconds * 1000;
      if (due) {
        await this.states.set(bot.id, 'SCANNING');
        runtime.lastScan = await this.scanner.scan(bot.preset, config, {
          symbols: bot.symbols,
          botId: bot.id,
          source: runtime.source,
        });
        runtime.lastScanAt = closeTime;
      }
      const scan = runtime.lastScan!;
      await this.states.set(bot.id, 'SIGNAL_WAIT');
      const entries: PlannedEntry[] = [];
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
          ml: signal.ml,
        });
      }
      // A position sold at this close frees its slot for this close's entries (not its symbol).
      const free = config.risk.maxConcurrentPositions - (live.length - exited);
      if (!bot.stopEntries && free > 0 && entries.length > 0)
        await this.execution.enter(runtime, entries, free);
    }
    if (signals > 0) {
      await this.bots.increment({ id: bot.id }, 'signalCount', signals);
      bot.signalCount += signals;
    }
    await this.bots.update({ id: bot.id }, { processedThrough: new Date(newest) });
    bot.processedThrough = new Date(newest);
  }

  /**
   * For a bot that reads only its strategy's buy signals (a DCA bot starting deals): once the candle
   * that closed last is stored for every symbol (or waited for long enough), feeds it to the streams,
   * marks it processed and returns the symbols whose signal on it is a buy; null until then, and when
   * there is no new candle.
   */
  async newBuySignals(runtime: BotRuntime, symbols: readonly string[]): Promise<string[] | null> {
    const { bot, config } = runtime;
    const span = TIMEFRAME_MS[config.timeframe];
    const newest = Math.floor(this.clock.nowMs() / span) * span - span;
    if (newest <= (bot.processedThrough?.getTime() ?? -Infinity)) return null;
    const universe = await this.feed(runtime, newest, symbols);
    const stored = universe.every((symbol) => runtime.streams.get(symbol)?.through === newest);
    if (!stored && this.clock.nowMs() - (newest + span) < CANDLE_WAIT_MS) return null;
    const buys = symbols.filter((symbol) => {
      const entry = runtime.streams.get(symbol);
      return entry?.through === newest && entry.lastSignal?.action === 'buy';
    });
    if (buys.length > 0) {
      await this.bots.increment({ id: bot.id }, 'signalCount', buys.length);
      bot.signalCount += buys.length;
    }
    await this.bots.update({ id: bot.id }, { processedThrough: new Date(newest) });
    bot.processedThrough = new Date(newest);
    return buys;
  }

  async manage(runtime: BotRuntime): Promise<void> {
    const { bot } = runtime;
    const live = await this.trades.liveOfBot(bot.id);
    const state: EngineState = bot.paused ? 'PAUSED' : live.length > 0 ? 'MANAGING' : 'SIGNAL_WAIT';
    await this.states.set(bot.id, state, bot.paused ? bot.pauseReason : null);
  }

  /**
   * The exit policy at a candle's close: the stop or target when the candle reached one the trade
   * guard has not acted on (it watches ticks; this catches what fell between them), else the time
   * stop or the strategy's sell, else the trailing stop follows the candle's high (a sale now when the
   * close fell back through it). Whether it sold the position.
   */
  private async applyExitPolicy(
    runtime: BotRuntime,
    trade: Trade,
    candle: Candle,
    sell: boolean,
  ): Promise<boolean> {
    const { bot, config } = runtime;
    const amount = new Money(trade.entryAmount);
    if (!amount.gt(0)) return false;
    const span = TIMEFRAME_MS[config.timeframe];
    const position: HeldPosition = {
      side: trade.side,
      // From the close it entered at (its fill comes a moment later), as a backtest counts the hold.
      entryTime: trade.openedAt ? Math.floor(trade.openedAt.getTime() / span) * span : candle.openTime,
      entryPrice: new Money(trade.entryCost).div(amount).toNumber(),
      amount: amount.toNumber(),
      stopLoss: trade.stopLoss === null ? null : Number(trade.stopLoss),
      takeProfit: trade.takeProfit === null ? null : Number(trade.takeProfit),
      initialRisk: trade.initialRisk === null ? 0 : Number(trade.initialRisk),
    };
    const level = levelReached(position, candle.low, candle.high);
    const decision = level
      ? { exit: level }
      : atCandleClose(
          position,
          { closeTime: candle.openTime + span, close: candle.close, high: candle.high },
          sell,
          config.risk,
          config.risk.trailingStopR === null ? 0 : await this.execution.roundTripCost(runtime, trade.symbol),
        );
    const actor = `bot:${bot.name}`;
    if (decision.exit) {
      return this.trades.close(trade.id, decision.exit, actor).then(
        () => true,
        (error: unknown) => {
          this.logger.warn(`bot ${bot.name}: ${decision.exit} of ${trade.id} failed: ${errorMessage(error)}`);
          return false;
        },
      );
    }
    if (decision.trailTo === null) return false;
    await this.trades
      .updateLevels(trade.id, { stopLoss: String(decision.trailTo) })
      .catch((error: unknown) =>
        this.logger.warn(`bot ${bot.name}: trailing stop of ${trade.id} not moved: ${errorMessage(error)}`),
      );
    return false;
  }
}
