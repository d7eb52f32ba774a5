import { breach, readRiskOf } from '../engine/risk-manager';
import type { PresetRisk } from '../presets/preset-config';
import type { BacktestPause } from './backtest-types';

// A module constant rather than the Math global in the replay's hot loop (see backtest-engine).
const math = Math;
const DAY_MS = 86_400_000;
const SECOND_MS = 1000;

/** A closed trade as the risk limits read it: when it counts, when the bot reads it, its R and its PnL. */
interface RiskEntry {
  at: number;
  readAt: number;
  r: number;
  pnl: number;
}

/** When an exit happened, as the replay knows it (see runBacktest's close). */
export type ExitTiming = 'touch' | 'in_candle' | 'at_close';

/**
 * The bots' risk limits over a backtest's trades, read with the bots' own rules (readRiskOf, breach)
 * as a bot's cycle reads them, every second, after the trade guard's check of that second and before
 * its own exits: so an exit at second X, the guard's at a stop or target the path says was reached then
 * (`touch`) or the cycle's at a close (`at_close`: time stop, sell, trailed stop), is read at X + 1 s.
 * One reached during a candle with no path (`in_candle`) counts at its close, in the worst order. A
 * pause lifts at the first reading from its end, and the losing streak starts again from its end (the
 * day's loss stands).
 */
export class RiskPauses {
  readonly pauses: BacktestPause[] = [];
  private readonly counted: RiskEntry[] = [];
  /** Exits the bot has not read yet. */
  private unread: RiskEntry[] = [];
  private todayFrom = 0;
  private streakFrom = 0;
  private pausedUntil: number | null = null;
  private readCount = -1;
  private readDay = -1;

  constructor(private readonly risk: PresetRisk) {}

  closed(timing: ExitTiming, at: number, pnl: number, r: number): void {
    if (timing === 'in_candle') this.unread.push({ at: at - 1, readAt: at, r, pnl });
    else this.unread.push({ at, readAt: at + SECOND_MS, r, pnl });
  }

  /** Whether a bot would enter at this close. */
  allowsEntries(now: number): boolean {
    if (this.unread.some((entry) => entry.readAt <= now)) {
      // The bot read its risk after each second that closed trades, before this close.
      const unread = this.unread.sort((a, b) => a.at - b.at);
      let index = 0;
      for (; index < unread.length && unread[index].readAt <= now; index++) {
        this.counted.push(unread[index]);
        const readAt = unread[index].readAt;
        if (readAt < now && unread[index + 1]?.readAt !== readAt) this.read(readAt);
      }
      this.unread = unread.slice(index);
    }
    return this.read(now);
  }

  private read(now: number): boolean {
    const { counted } = this;
    if (this.pausedUntil !== null) {
      if (this.pausedUntil > now) return false;
      const liftedAt = this.pausedUntil;
      this.pausedUntil = null;
      while (this.streakFrom < counted.length && counted[this.streakFrom].at < liftedAt) this.streakFrom++;
      // Read again at once, as a bot does: exits during a streak pause may have reached the day's limit.
    }
    const dayStart = math.floor(now / DAY_MS) * DAY_MS;
    // Nothing closed and the same day as at the last reading, which found no breach: none now either.
    if (counted.length === this.readCount && dayStart === this.readDay) return true;
    this.readCount = counted.length;
    this.readDay = dayStart;
    while (this.todayFrom < counted.length && counted[this.todayFrom].at < dayStart) this.todayFrom++;
    // Stops and targets of this candle closed in an order the candle does not tell, and a bot reads its
    // risk every second: the worst order counts, as a stop counts before a target. For the day's loss
    // that is its losses before its gains (the deepest the day went); for the streak, its losses last.
    const today: number[] = [];
    for (let index = this.todayFrom; index < counted.length; index++)
      if (counted[index].at !== now - 1 || counted[index].r < 0) today.push(counted[index].r);
    // This candle's exits are the newest: the streak reads them and the limit's worth before them.
    let inCandle = 0;
    while (inCandle < counted.length && counted[counted.length - 1 - inCandle].at === now - 1) inCandle++;
    const streakStart = math.max(this.streakFrom, counted.length - inCandle - this.risk.maxConsecutiveLosses);
    const streak = counted.slice(streakStart);
    const worstLast = (entry: RiskEntry) => (entry.at === now - 1 ? (entry.pnl < 0 ? 2 : 1) : 0);
    streak.sort((a, b) => worstLast(a) - worstLast(b));
    const recent = streak.slice(-this.risk.maxConsecutiveLosses).map((entry) => entry.pnl);
    const problem = breach(readRiskOf(today, recent), this.risk, now);
    if (!problem) return true;
    this.pausedUntil = problem.until.getTime();
    this.readCount = -1;
    this.pauses.push({ code: problem.code, from: now, until: this.pausedUntil, message: problem.message });
    return false;
  }
}
