import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobQueue } from '../platform/jobs/job-queue';
import { MetricsService } from '../platform/metrics/metrics.service';
import { RuntimeSettings } from '../platform/settings/runtime-settings';

/** Series read at each scrape that belong to no domain module: the job queue's depth and the ML settings. */
@Injectable()
export class MonitoringMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly jobs: JobQueue,
    private readonly settings: RuntimeSettings,
  ) {}

  onModuleInit(): void {
    this.metrics.scraped(
      'system',
      {
        name: 'tradeplane_jobs',
        help: 'Jobs by queue and state: queued, retry and running are the depth; failed ones stay until pruned',
        labelNames: ['queue', 'state'],
      },
      async () =>
        (await this.jobs.counts())
          .filter((row) => row.state !== undefined)
          .map((row) => [{ queue: row.queue, state: row.state }, row.count]),
    );
    this.metrics.scraped(
      'ml',
      {
        name: 'tradeplane_ml_enabled',
        help: 'Whether machine learning predictions are on (runtime setting ml.enabled)',
      },
      () => [[{}, this.settings.section('ml').enabled ? 1 : 0]],
    );
    this.metrics.scraped(
      'ml',
      {
        name: 'tradeplane_ml_confidence_threshold',
        help: 'Predictions below this confidence are not acted on (runtime setting ml.confidenceThreshold)',
      },
      () => [[{}, this.settings.section('ml').confidenceThreshold]],
    );
  }
}
