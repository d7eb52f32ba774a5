import { Injectable } from '@nestjs/common';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { dailyCloses, TimedValue } from './analytics-math';
import { AnalyticsScope, AnalyticsScopes, orDefaultAccount } from './analytics-scopes';
import type { EquityResolution } from './equity-point.entity';
import { EquityPoints, StoredPoint } from './equity-points.repository';
import type { EquityPointDto, EquityQueryDto } from './dto/equity.dto';

/** Points one answer carries at most. */
export const MAX_EQUITY_POINTS = 2000;
const SPAN_MS: Record<EquityResolution, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const DEFAULT_RANGE_MS = 7 * 86_400_000;
const HOUR_ROLLUPS_REDONE_MS = 2 * 86_400_000;

/** The equity history of a bot or an account, at a resolution, as the routes and the metrics read it. */
@Injectable()
export class EquityHistory {
  constructor(
    private readonly points: EquityPoints,
    private readonly scopes: AnalyticsScopes,
    private readonly clock: Clock,
  ) {}

  /** GET /api/analytics/equity: at most 2,000 points, each with its drawdown and PnL. */
  async equity(query: EquityQueryDto): Promise<{ resolution: EquityResolution; points: EquityPointDto[] }> {
    const scope = await this.scopes.resolve(query);
    const to = query.to ? Date.parse(query.to) : this.clock.nowMs();
    const from = query.from ? Date.parse(query.from) : to - DEFAULT_RANGE_MS;
    if (!(to > from)) throw ApiError.validation('to: must be after from');
    const resolution = query.resolution ?? fittingResolution(to - from);
    const stored = thin(await this.series(scope, resolution, from, to), MAX_EQUITY_POINTS);
    let peak = -Infinity;
    return {
      resolution,
      points: stored.map((point) => {
        peak = Math.max(peak, point.value);
        return {
          timestamp: new Date(point.time).toISOString(),
          value: round(point.value),
          cumulativeR: round(point.cumulativeR),
          drawdown: peak > 0 ? round(Math.max(0, 1 - point.value / peak)) : 0,
          pnl: round(point.realizedPnl + point.unrealizedPnl),
          realizedPnl: round(point.realizedPnl),
          unrealizedPnl: round(point.unrealizedPnl),
        };
      }),
    };
  }

  /**
   * A scope's points at a resolution in [from, to], with the newest minute point after the last
   * rolled-up bucket (the hour or day still filling). Without a scope: the default paper account's.
   */
  async series(
    scope: AnalyticsScope,
    resolution: EquityResolution,
    from: number,
    to: number,
  ): Promise<StoredPoint[]> {
    const { scope: kind, scopeId } = orDefaultAccount(scope).equity;
    const stored = await this.points.range(kind, scopeId, resolution, from, to);
    if (resolution === 'minute') return stored;
    const latest = await this.points.latest(kind, scopeId, to);
    const last = stored[stored.length - 1];
    if (latest && latest.time >= from && (!last || latest.time >= last.time + SPAN_MS[resolution]))
      stored.push(latest);
    return stored;
  }

  /**
   * The scope's daily closes over [from, to]: day roll-ups, the last two days from the hourly ones
   * (day roll-ups of days still open are redone each hour), and the newest minute.
   */
  async dailySeries(scope: AnalyticsScope, from: number, to: number): Promise<TimedValue[]> {
    const { scope: kind, scopeId } = orDefaultAccount(scope).equity;
    const days = await this.points.range(kind, scopeId, 'day', from, to);
    const hours = await this.points.range(
      kind,
      scopeId,
      'hour',
      Math.max(from, to - HOUR_ROLLUPS_REDONE_MS),
      to,
    );
    const latest = await this.points.latest(kind, scopeId, to);
    const merged = [...days, ...hours, ...(latest && latest.time >= from ? [latest] : [])].sort(
      (a, b) => a.time - b.time,
    );
    return dailyCloses(merged.map((point) => ({ time: point.time, value: point.value })));
  }

  firstTime(scope: AnalyticsScope): Promise<number | null> {
    const { scope: kind, scopeId } = orDefaultAccount(scope).equity;
    return this.points.firstTime(kind, scopeId);
  }
}

/** The finest resolution that fits the range in MAX_EQUITY_POINTS. */
export function fittingResolution(rangeMs: number): EquityResolution {
  if (rangeMs / SPAN_MS.minute <= MAX_EQUITY_POINTS) return 'minute';
  if (rangeMs / SPAN_MS.hour <= MAX_EQUITY_POINTS) return 'hour';
  return 'day';
}

/** Every k-th point so that at most `max` remain, the newest always among them. */
function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  const kept = points.filter((_, index) => (points.length - 1 - index) % step === 0);
  return kept;
}

function round(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
