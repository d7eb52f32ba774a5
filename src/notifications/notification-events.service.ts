import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import '../engine/engine.events';
import type { EngineState } from '../engine/engine-state';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { FINISHED_JOB_STATES } from '../platform/jobs/job-queue';
import '../platform/jobs/jobs.events';
import { Outbox } from '../platform/outbox/outbox';

/** States where a bot is not going round its cycle: a move into or out of one is news for a webhook. */
const RUN_STATES: readonly EngineState[] = ['IDLE', 'INITIALIZING', 'PAUSED', 'ERROR', 'EMERGENCY'];
/** Finished jobs remembered, so a job announced twice as finished goes out once. */
const REMEMBERED_JOBS = 1000;

/**
 * Puts the events whose changes are not written by this application's own transactions in the
 * outbox when they are announced: a bot's run state (started, paused, stopped, failed) and a finished
 * job (pg-boss records jobs on its own connection). Alerts, fills and trades are written to the outbox
 * in their own transactions.
 */
@Injectable()
export class NotificationEvents implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private readonly finishedJobs = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.events.on('engine.state', (update) => {
      if (RUN_STATES.includes(update.state) || RUN_STATES.includes(update.previous))
        this.add('bot.state', update);
    });
    this.events.on('job.updated', (job) => {
      if (!FINISHED_JOB_STATES.includes(job.state) || this.finishedJobs.has(job.id)) return;
      this.finishedJobs.add(job.id);
      if (this.finishedJobs.size > REMEMBERED_JOBS)
        this.finishedJobs.delete(this.finishedJobs.values().next().value!);
      this.add('job.finished', job);
    });
  }

  private add(type: string, data: object): void {
    this.outbox
      .add(this.dataSource.manager, type, data)
      .catch((error: unknown) => this.logger.warn(`${type} event not written: ${errorMessage(error)}`));
  }
}
