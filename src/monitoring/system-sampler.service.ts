import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Interval } from '@nestjs/schedule';
import { LessThan, Repository } from 'typeorm';
import { EventBus } from '../platform/events/event-bus';
import { HOUSEKEEPING_POLL_SECONDS, JobQueue } from '../platform/jobs/job-queue';
import { Clock } from '../platform/time/clock';
import { ExchangeTraffic } from '../exchange/exchange-traffic';
import { TradeQueries } from '../trading/trade-queries.service';
import { ResourceMonitor } from './resource-monitor';
import { SystemSample } from './system-sample.entity';
import { errorMessage } from '../platform/errors/error-message';

export const SAMPLE_INTERVAL_MS = 15_000;
export const SAMPLE_RETENTION_HOURS = 7 * 24;
export const SAMPLE_RETENTION_MS = SAMPLE_RETENTION_HOURS * 60 * 60 * 1000;
export const SAMPLE_RETENTION_QUEUE = 'housekeeping.sample-retention';

/** Stores a resource sample every 15 s and announces it; every 10 minutes one instance drops those older than 7 days. */
@Injectable()
export class SystemSampler implements OnModuleInit {
  private readonly logger = new Logger(SystemSampler.name);

  constructor(
    @InjectRepository(SystemSample) private readonly samples: Repository<SystemSample>,
    private readonly monitor: ResourceMonitor,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly trades: TradeQueries,
    private readonly traffic: ExchangeTraffic,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.define(
      SAMPLE_RETENTION_QUEUE,
      { retryLimit: 0, exclusive: true, pollSeconds: HOUSEKEEPING_POLL_SECONDS },
      async () => ({
        deleted: await this.deleteOldSamples(),
      }),
    );
    await this.jobs.schedule(SAMPLE_RETENTION_QUEUE, '*/10 * * * *');
  }

  @Interval('system-sampler', SAMPLE_INTERVAL_MS)
  async tick(): Promise<void> {
    try {
      await this.sampleNow();
    } catch (error) {
      // The database may be down; health already reports that. Try again next tick.
      this.logger.warn(`system sample not stored: ${errorMessage(error)}`);
    }
  }

  async sampleNow(): Promise<SystemSample> {
    const reading = await this.monitor.readForSample();
    const { openPositions } = await this.trades.summary();
    const traffic = this.traffic.takeTotals();
    const now = this.clock.now();
    const sample = await this.samples
      .save(
        this.samples.create({
          sampledAt: now,
          cpuPercent: reading.cpuPercent,
          memoryPercent: reading.memoryPercent,
          rssBytes: String(reading.rssBytes),
          eventLoopLagMs: reading.eventLoopLagMs,
          diskUsedPercent: reading.diskUsedPercent,
          loadAverage: reading.loadAverage,
          openPositions,
          exchangeRequests: traffic.requests,
          exchangeErrors: traffic.errors,
          exchangeLatencyMsSum: traffic.latencyMsSum,
        }),
      )
      .catch((error: unknown) => {
        // Not stored: the next sample counts these requests.
        this.traffic.giveBack(traffic);
        throw error;
      });
    this.events.publish('system.sampled', { ...reading, sampledAt: now.toISOString() });
    return sample;
  }

  /** How many samples older than the retention were deleted. */
  async deleteOldSamples(): Promise<number> {
    const result = await this.samples.delete({
      sampledAt: LessThan(new Date(this.clock.nowMs() - SAMPLE_RETENTION_MS)),
    });
    return result.affected ?? 0;
  }
}
