import { Money } from '../platform/decimal/money';

/** What the risk manager needs of a closed trade. */
export interface ClosedTradeResult {
  realizedPnl: string;
  initialRisk: string | null;
  closedAt: Date | null;
}

/** A closed trade's result in R (realised PnL / initial risk); 0 when it had no stop. */
export function rOf(trade: ClosedTradeResult): number {
  if (!trade.initialRisk || !new Money(trade.initialRisk).gt(0)) return 0;
  return new Money(trade.realizedPnl).div(trade.initialRisk).toNumber();
}

export interface RiskReading {
  /** Sum of R of the trades closed in the window. */
  dailyR: number;
  /** Losing trades in a row, newest first, in the window. */
  consecutiveLosses: number;
  /** The deepest fall of the cumulative R curve from a peak. */
  maxDrawdownR: number;
}

const DAY_MS = 86_400_000;

/**
 * Reads the risk of closed trades, oldest first: the day's R and drawdown from `today` (the trades
 * closed this UTC day), the losing streak from `recent` (the newest trades whatever their day, so a
 * streak does not end at midnight).
 */
export function readRisk(
  today: readonly ClosedTradeResult[],
  recent: readonly ClosedTradeResult[] = today,
): RiskReading {
  return readRiskOf(
    today.map(rOf),
    recent.map((trade) => Number(trade.realizedPnl)),
  );
}

/**
 * The same reading from numbers, as a backtest keeps its trades: the R of the trades closed today and
 * the PnL of the newest trades (oldest first), so bots and backtests read their risk with one rule.
 */
export function readRiskOf(todayR: readonly number[], recentPnl: readonly number[]): RiskReading {
  let dailyR = 0;
  let peak = 0;
  let maxDrawdownR = 0;
  for (const r of todayR) {
    dailyR += r;
    peak = Math.max(peak, dailyR);
    maxDrawdownR = Math.max(maxDrawdownR, peak - dailyR);
  }
  let consecutiveLosses = 0;
  for (let index = recentPnl.length - 1; index >= 0; index--) {
    if (recentPnl[index] < 0) consecutiveLosses++;
    else break;
  }
  return { dailyR: round4(dailyR), consecutiveLosses, maxDrawdownR: round4(maxDrawdownR) };
}

export interface RiskPause {
  code: 'DAILY_LOSS_LIMIT' | 'CONSECUTIVE_LOSSES';
  message: string;
  /** When the pause lifts by itself. */
  until: Date;
}

/**
 * Why the bot must pause, and until when, or null: a day losing more than the limit pauses it until
 * the next UTC day; too many losses in a row pause it for streakPauseMinutes.
 */
export function breach(
  reading: RiskReading,
  limits: { dailyLossLimitR: number; maxConsecutiveLosses: number; streakPauseMinutes: number },
  now: number,
): RiskPause | null {
  if (reading.dailyR <= -limits.dailyLossLimitR)
    return {
      code: 'DAILY_LOSS_LIMIT',
      message: `daily loss ${reading.dailyR}R reached the limit of -${limits.dailyLossLimitR}R`,
      until: new Date((Math.floor(now / DAY_MS) + 1) * DAY_MS),
    };
  if (reading.consecutiveLosses >= limits.maxConsecutiveLosses)
    return {
      code: 'CONSECUTIVE_LOSSES',
      message: `${reading.consecutiveLosses} losses in a row reached the limit of ${limits.maxConsecutiveLosses}`,
      until: new Date(now + limits.streakPauseMinutes * 60_000),
    };
  return null;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The operator's ceilings over every preset's limits (runtime settings `risk`); null: none. */
export interface RiskCeilings {
  dailyLossLimitR: number | null;
  maxConsecutiveLosses: number | null;
}

/** A preset's limits under the operator's ceilings: the lower of each. */
export function withRiskCeilings<T extends { dailyLossLimitR: number; maxConsecutiveLosses: number }>(
  limits: T,
  ceilings: RiskCeilings,
): T {
  return {
    ...limits,
    dailyLossLimitR: Math.min(limits.dailyLossLimitR, ceilings.dailyLossLimitR ?? Infinity),
    maxConsecutiveLosses: Math.min(limits.maxConsecutiveLosses, ceilings.maxConsecutiveLosses ?? Infinity),
  };
}
