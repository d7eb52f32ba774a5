import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { readdir, readFile } from 'node:fs/promises';
import { Repository } from 'typeorm';
import { EngineService } from '../engine/engine.service';
import { MetricsService } from '../platform/metrics/metrics.service';
import { summarize } from '../platform/metrics/recent-stats';
import { Clock } from '../platform/time/clock';
import { TradeQueries } from '../trading/trade-queries.service';
import type {
  HistoryResponseDto,
  HourlyFiguresDto,
  MetricsHealthResponseDto,
  PerformanceResponseDto,
  PeriodFiguresDto,
  ProcessPerformanceDto,
  SummaryResponseDto,
} from './dto/metrics-json.dto';
import { ResourceMonitor } from './resource-monitor';
import { SystemSample } from './system-sample.entity';
import { SAMPLE_INTERVAL_MS } from './system-sampler.service';

const HOUR_MS = 3_600_000;
const MB = 1024 * 1024;
/** Samples may be this late before health says they are not being stored. */
const SAMPLE_STALE_MS = 4 * SAMPLE_INTERVAL_MS;

interface SampleHour {
  hour: Date | string;
  samples: string;
  slots: string;
  first: Date | string;
  cpu: number | null;
  memory: number | null;
  lag: number | null;
  requests: string;
  errors: string;
  latency: number | null;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** OS threads and open descriptors of this process, from /proc (null where there is none). */
async function procCounts(): Promise<{ threads: number | null; files: number | null }> {
  const threads = await readFile('/proc/self/status', 'utf8')
    .then((status) => Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN))
    .catch(() => NaN);
  const files = await readdir('/proc/self/fd')
    .then((entries) => entries.length)
    .catch(() => null);
  return { threads: Number.isFinite(threads) ? threads : null, files };
}

/** The JSON monitoring routes (seed 002's summary, performance and health; seed 003's history). */
@Injectable()
export class MonitoringReports {
  private readonly startedAt: number;

  constructor(
    @InjectRepository(SystemSample) private readonly samples: Repository<SystemSample>,
    private readonly monitor: ResourceMonitor,
    private readonly metrics: MetricsService,
    private readonly engine: EngineService,
    private readonly trades: TradeQueries,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.nowMs();
  }

  async performance(): Promise<PerformanceResponseDto> {
    return { ...(await this.processPerformance()), timestamp: this.clock.nowMs() / 1000 };
  }

  async summary(): Promise<SummaryResponseDto> {
    const now = this.clock.nowMs();
    const [performance, positions, closed] = await Promise.all([
      this.processPerformance(),
      this.samples
        .createQueryBuilder('sample')
        .select('sample.openPositions', 'open')
        .where('sample.sampledAt >= :from', { from: new Date(now - HOUR_MS) })
        .getRawMany<{ open: number }>(),
      this.trades.closedSince(new Date(now - 24 * HOUR_MS)),
    ]);
    return {
      performance,
      engine: {
        cycleTime: this.engine.cycleTimes(),
        positions: summarize(positions.map((row) => Number(row.open))),
      },
      trading: {
        events: summarize(closed.map((trade) => trade.fills)),
        pnl: summarize(
          closed.map((trade) => trade.pnl),
          8,
        ),
      },
      timestamp: now / 1000,
    };
  }

  async health(): Promise<MetricsHealthResponseDto> {
    const now = this.clock.nowMs();
    const reading = await this.monitor.readForHealth();
    const { status, issues } = this.monitor.health(reading);
    const last = await this.samples
      .createQueryBuilder('sample')
      .select('MAX(sample.sampledAt)', 'last')
      .getRawOne<{ last: Date | string | null }>();
    const lastSampleAt = last?.last ? new Date(last.last) : null;
    const stale = (lastSampleAt?.getTime() ?? this.startedAt) < now - SAMPLE_STALE_MS;
    if (stale && now - this.startedAt > SAMPLE_STALE_MS)
      issues.push(`no resource sample stored since ${lastSampleAt?.toISOString() ?? 'start'}`);
    return {
      status: issues.length === 0 ? status : 'degraded',
      issues,
      metricsCount: await this.metrics.seriesCount(),
      performance: { cpuPercent: reading.cpuPercent, memoryPercent: reading.memoryPercent },
      lastSampleAt: lastSampleAt?.toISOString() ?? null,
      timestamp: now,
    };
  }

  /** Hour by hour over the last `hours` (the current hour included), and over the whole period. */
  async history(hours: number): Promise<HistoryResponseDto> {
    const now = this.clock.nowMs();
    const to = new Date(now);
    const from = new Date(Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS);
    const [trading, system] = await Promise.all([
      this.trades.hourlyActivity(from, to),
      this.samples.query<SampleHour[]>(
        `SELECT to_timestamp(floor(extract(epoch FROM sampled_at) / 3600) * 3600) AS hour, count(*) AS samples,
           count(DISTINCT floor(extract(epoch FROM sampled_at) / ${SAMPLE_INTERVAL_MS / 1000})) AS slots,
           min(sampled_at) AS first, avg(cpu_percent) AS cpu, avg(memory_percent) AS memory,
           max(event_loop_lag_ms) AS lag, sum(exchange_requests) AS requests, sum(exchange_errors) AS errors,
           sum(exchange_latency_ms_sum) AS latency
         FROM system_samples WHERE sampled_at >= $1 AND sampled_at < $2 GROUP BY 1 ORDER BY 1`,
        [from, to],
      ),
    ]);
    const hourly: HourlyFiguresDto[] = [];
    for (let start = from.getTime(); start < now; start += HOUR_MS) {
      const end = Math.min(start + HOUR_MS, now);
      const inHour = <T extends { hour: Date | string }>(rows: T[]) =>
        rows.filter((row) => new Date(row.hour).getTime() === start);
      hourly.push({
        hour: new Date(start).toISOString(),
        ...this.figures(inHour(trading), inHour(system), end),
      });
    }
    return {
      timestamp: to.toISOString(),
      periodHours: hours,
      metrics: this.figures(trading, system, now),
      hourly,
    };
  }

  /** The figures of some hours' rows; `end` closes the span the uptime counts slots over. */
  private figures(
    trading: Awaited<ReturnType<TradeQueries['hourlyActivity']>>,
    system: SampleHour[],
    end: number,
  ): PeriodFiguresDto {
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const trades = sum(trading.map((row) => row.trades));
    const wins = sum(trading.map((row) => row.wins));
    const samples = sum(system.map((row) => Number(row.samples)));
    const weighted = (pick: (row: SampleHour) => number | null) =>
      samples === 0
        ? null
        : round(sum(system.map((row) => Number(pick(row) ?? 0) * Number(row.samples))) / samples);
    const first = system.length ? Math.min(...system.map((row) => new Date(row.first).getTime())) : null;
    const expectedSlots = first === null ? 0 : Math.max(1, Math.ceil((end - first) / SAMPLE_INTERVAL_MS));
    const slots = sum(system.map((row) => Number(row.slots)));
    const requests = sum(system.map((row) => Number(row.requests)));
    const latency = sum(system.map((row) => Number(row.latency ?? 0)));
    return {
      trading: {
        totalTrades: trades,
        successfulTrades: wins,
        failedTrades: trades - wins,
        totalPnl: round(sum(trading.map((row) => row.realizedPnl)), 8),
        winRate: trades === 0 ? null : round(wins / trades, 4),
        orders: sum(trading.map((row) => row.orders)),
        rejectedOrders: sum(trading.map((row) => row.rejectedOrders)),
        fills: sum(trading.map((row) => row.fills)),
      },
      system: {
        avgCpuUsage: weighted((row) => row.cpu),
        avgMemoryUsage: weighted((row) => row.memory),
        maxLatencyMs: system.length ? round(Math.max(...system.map((row) => Number(row.lag ?? 0)))) : null,
        uptimePercentage: first === null ? null : round(Math.min(100, (slots / expectedSlots) * 100)),
        samples,
      },
      exchange: {
        apiCalls: requests,
        failedCalls: sum(system.map((row) => Number(row.errors))),
        avgResponseTimeMs: requests === 0 ? null : round(latency / requests),
      },
    };
  }

  private async processPerformance(): Promise<ProcessPerformanceDto> {
    const [reading, counts] = await Promise.all([this.monitor.readForHealth(), procCounts()]);
    const resources = process.getActiveResourcesInfo();
    return {
      cpuPercent: reading.cpuPercent,
      memoryPercent: reading.memoryPercent,
      memoryUsedMb: round(reading.rssBytes / MB),
      heapUsedMb: round(process.memoryUsage().heapUsed / MB),
      diskUsagePercent: reading.diskUsedPercent,
      activeThreads: counts.threads,
      openFiles: counts.files,
      networkConnections: resources.filter((name) => name === 'TCPSocketWrap').length,
      eventLoopLagMs: reading.eventLoopLagMs,
      loadAverage: reading.loadAverage,
      uptimeSeconds: round(process.uptime()),
    };
  }
}
