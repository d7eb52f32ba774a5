import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EquityPoint, EquityResolution, EquityScope } from './equity-point.entity';

export type EquityRow = Pick<
  EquityPoint,
  'scope' | 'scopeId' | 'currency' | 'value' | 'realizedPnl' | 'unrealizedPnl' | 'cumulativeR'
>;

export interface StoredPoint {
  time: number;
  value: number;
  realizedPnl: number;
  unrealizedPnl: number;
  cumulativeR: number;
}

function toStored(row: {
  t: string;
  value: number;
  realized: number;
  unrealized: number;
  r: number;
}): StoredPoint {
  return {
    time: Number(row.t),
    value: Number(row.value),
    realizedPnl: Number(row.realized),
    unrealizedPnl: Number(row.unrealized),
    cumulativeR: Number(row.r),
  };
}

/** The equity history's queries: minute points, their roll-ups, retention, and range reads. */
@Injectable()
export class EquityPoints {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores (or replaces) the minute points measured at `at`. */
  async saveMinute(rows: readonly EquityRow[], at: Date): Promise<void> {
    for (const row of rows)
      await this.dataSource.query(
        `INSERT INTO equity_points (scope, scope_id, resolution, at, measured_at, currency, value, realized_pnl, unrealized_pnl, cumulative_r)
         VALUES ($1, $2, 'minute', $3, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (scope, scope_id, resolution, at) DO UPDATE SET measured_at = EXCLUDED.measured_at,
           currency = EXCLUDED.currency, value = EXCLUDED.value, realized_pnl = EXCLUDED.realized_pnl,
           unrealized_pnl = EXCLUDED.unrealized_pnl, cumulative_r = EXCLUDED.cumulative_r`,
        [
          row.scope,
          row.scopeId,
          at,
          row.currency,
          row.value,
          row.realizedPnl,
          row.unrealizedPnl,
          row.cumulativeR,
        ],
      );
  }

  /**
   * Rolls `from` points measured since `since` up into `to` buckets: each bucket's point is the last one
   * in it. Re-running it replaces the buckets with the same values (a bucket still filling is updated).
   */
  async rollUp(from: EquityResolution, to: 'hour' | 'day', since: Date): Promise<number> {
    const rows = await this.dataSource.query<unknown[]>(
      `INSERT INTO equity_points (scope, scope_id, resolution, at, measured_at, currency, value, realized_pnl, unrealized_pnl, cumulative_r)
       SELECT DISTINCT ON (scope, scope_id, date_trunc($2::text, at AT TIME ZONE 'UTC'))
         scope, scope_id, $2::text, date_trunc($2::text, at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', measured_at, currency, value,
         realized_pnl, unrealized_pnl, cumulative_r
       FROM equity_points
       WHERE resolution = $1 AND at >= $3
       ORDER BY scope, scope_id, date_trunc($2::text, at AT TIME ZONE 'UTC'), at DESC
       ON CONFLICT (scope, scope_id, resolution, at) DO UPDATE SET measured_at = EXCLUDED.measured_at,
         currency = EXCLUDED.currency, value = EXCLUDED.value, realized_pnl = EXCLUDED.realized_pnl,
         unrealized_pnl = EXCLUDED.unrealized_pnl, cumulative_r = EXCLUDED.cumulative_r
       RETURNING 1`,
      [from, to, since],
    );
    return rows.length;
  }

  /** Drops points of a resolution older than `before`. */
  async deleteOlder(resolution: EquityResolution, before: Date): Promise<number> {
    const rows = await this.dataSource.query<unknown[]>(
      'DELETE FROM equity_points WHERE resolution = $1 AND at < $2 RETURNING 1',
      [resolution, before],
    );
    return rows.length;
  }

  /** A scope's points of one resolution in [from, to], oldest first. */
  async range(
    scope: EquityScope,
    scopeId: string,
    resolution: EquityResolution,
    from: number,
    to: number,
  ): Promise<StoredPoint[]> {
    const rows = await this.dataSource.query<
      Array<{ t: string; value: number; realized: number; unrealized: number; r: number }>
    >(
      `SELECT (extract(epoch FROM at) * 1000)::bigint AS t, value, realized_pnl AS realized,
         unrealized_pnl AS unrealized, cumulative_r AS r
       FROM equity_points
       WHERE scope = $1 AND scope_id = $2 AND resolution = $3 AND at >= $4 AND at <= $5
       ORDER BY at`,
      [scope, scopeId, resolution, new Date(from), new Date(to)],
    );
    return rows.map(toStored);
  }

  /** The newest minute point of a scope at or before `at`. */
  async latest(scope: EquityScope, scopeId: string, at: number): Promise<StoredPoint | null> {
    const rows = await this.dataSource.query<
      Array<{ t: string; value: number; realized: number; unrealized: number; r: number }>
    >(
      `SELECT (extract(epoch FROM at) * 1000)::bigint AS t, value, realized_pnl AS realized,
         unrealized_pnl AS unrealized, cumulative_r AS r
       FROM equity_points WHERE scope = $1 AND scope_id = $2 AND resolution = 'minute' AND at <= $3
       ORDER BY at DESC LIMIT 1`,
      [scope, scopeId, new Date(at)],
    );
    return rows.length ? toStored(rows[0]) : null;
  }

  /** The first point's time of a scope (any resolution), for a period of `all`. */
  async firstTime(scope: EquityScope, scopeId: string): Promise<number | null> {
    const rows = await this.dataSource.query<Array<{ t: string | null }>>(
      `SELECT (extract(epoch FROM min(at)) * 1000)::bigint AS t FROM equity_points WHERE scope = $1 AND scope_id = $2`,
      [scope, scopeId],
    );
    return rows[0]?.t ? Number(rows[0].t) : null;
  }
}
