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

/** Reads the risk of trades closed in one window (oldest first). */
export function readRisk(closed: readonly ClosedTradeResult[]): RiskReading {
  let dailyR = 0;
  let peak = 0;
  let maxDrawdownR = 0;
  for (const trade of closed) {
    dailyR += rOf(trade);
    peak = Math.max(peak, dailyR);
    maxDrawdownR = Math.max(maxDrawdownR, peak - dailyR);
  }
  let consecutiveLosses = 0;
  for (let index = closed.length - 1; index >= 0; index--) {
    if (new Money(closed[index].realizedPnl).lt(0)) consecutiveLosses++;
    else break;
  }
  return { dailyR: round4(dailyR), consecutiveLosses, maxDrawdownR: round4(maxDrawdownR) };
}

/** Why the bot must pause, or null: a day losing more than the limit, or too many losses in a row. */
export function breach(
  reading: RiskReading,
  limits: { dailyLossLimitR: number; maxConsecutiveLosses: number },
): { code: string; message: string } | null {
  if (reading.dailyR <= -limits.dailyLossLimitR)
    return {
      code: 'DAILY_LOSS_LIMIT',
      message: `daily loss ${reading.dailyR}R reached the limit of -${limits.dailyLossLimitR}R`,
    };
  if (reading.consecutiveLosses >= limits.maxConsecutiveLosses)
    return {
      code: 'CONSECUTIVE_LOSSES',
      message: `${reading.consecutiveLosses} losses in a row reached the limit of ${limits.maxConsecutiveLosses}`,
    };
  return null;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
