import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ExchangeAccountsService } from '../exchange/exchange-accounts.service';
import { ThreeCommasService } from '../integrations/three-commas.service';
import { threeCommasApiError, ThreeCommasError } from '../integrations/three-commas-client';
import { Role } from '../platform/access/role';
import { errorMessage } from '../platform/errors/error-message';
import { ApiError } from '../platform/http/api-error';
import { JobAbortedError, JobContext, JobQueue } from '../platform/jobs/job-queue';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Clock } from '../platform/time/clock';
import { StartSyncDto, SyncListQueryDto, SyncRunDto, SyncStartedDto } from './dto/sync.dto';
import { ExchangeImporter } from './exchange-importer';
import { SyncRepository } from './sync.repository';
import { SyncRun, SyncSource } from './sync-run.entity';
import { ThreeCommasImporter } from './three-commas-importer';
import type { SyncProgress } from './sync-progress';

export const SYNC_QUEUE = 'sync.run';
const SYNC_SCHEDULE_QUEUE = 'sync.schedule';
/** Attempts after the first: a sync that stopped (crash, exchange down) carries on from its cursors. */
const SYNC_RETRIES = 2;

export function toSyncRunDto(run: SyncRun): SyncRunDto {
  return {
    id: run.id,
    source: run.source,
    accountId: run.accountId,
    trigger: run.trigger,
    state: run.state,
    jobId: run.jobId,
    since: run.since?.toISOString() ?? null,
    force: run.force,
    progress: run.progress,
    fetched: run.fetched,
    imported: run.imported,
    skipped: run.skipped,
    matched: run.matched,
    details: run.details,
    errors: run.errors,
    requestedBy: run.requestedBy,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Syncs: imports of an exchange account's trades, open orders and balances, or of a 3Commas
 * connection's deals, as durable jobs (one at a time per account), by hand or on the schedule of
 * `sync.everyMinutes`.
 */
@Injectable()
export class SyncService implements OnModuleInit {
  private readonly logger = new Logger(SyncService.name);

  constructor(
    private readonly jobs: JobQueue,
    private readonly store: SyncRepository,
    private readonly exchangeAccounts: ExchangeAccountsService,
    private readonly threeCommas: ThreeCommasService,
    private readonly exchangeImporter: ExchangeImporter,
    private readonly threeCommasImporter: ThreeCommasImporter,
    private readonly settings: RuntimeSettings,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.define<{ runId: string }>(
      SYNC_QUEUE,
      {
        handledBy: Role.ADMIN,
        concurrency: 1,
        retryLimit: SYNC_RETRIES,
        retryDelaySeconds: 1,
        expireInSeconds: 3600,
        pollSeconds: 1,
      },
      (job) => this.execute(job),
    );
    await this.jobs.define(SYNC_SCHEDULE_QUEUE, { handledBy: Role.ADMIN, pollSeconds: 60 }, async () => ({
      started: await this.syncDue(),
    }));
    await this.jobs.schedule(SYNC_SCHEDULE_QUEUE, '* * * * *');
  }

  /** POST /api/sync: 202 with the queued run; 409 while the account has one queued or running. */
  async start(
    dto: StartSyncDto,
    requestedBy: string | null,
    trigger: SyncRun['trigger'] = 'manual',
  ): Promise<SyncStartedDto> {
    if (dto.source === 'exchange') await this.exchangeAccounts.get(dto.accountId);
    else await this.threeCommas.get(dto.accountId);
    const since = dto.since ? new Date(dto.since) : null;
    if (since && since.getTime() > this.clock.nowMs())
      throw ApiError.validation('since: must not be in the future');
    const running = await this.store.unfinishedRun(dto.accountId);
    if (running)
      throw ApiError.conflict(`a sync of ${dto.accountId} is ${running.state} (run ${running.id})`, {
        runId: running.id,
      });
    const id = randomUUID();
    await this.store.insertRun({
      id,
      source: dto.source,
      accountId: dto.accountId,
      trigger,
      state: 'queued',
      since,
      force: dto.force ?? false,
      requestedBy,
      createdAt: this.clock.now(),
    });
    const jobId = await this.jobs.enqueue(SYNC_QUEUE, { runId: id }, { singletonKey: dto.accountId });
    if (jobId === null) {
      await this.store.deleteRun(id);
      throw ApiError.conflict(`a sync of ${dto.accountId} is already queued or running`);
    }
    await this.store.updateRun(id, { jobId });
    return {
      runId: id,
      jobId,
      source: dto.source,
      accountId: dto.accountId,
      syncStarted: this.clock.now().toISOString(),
      estimatedDuration: dto.source === 'exchange' ? '1m' : '2m',
      status: 'queued',
    };
  }

  async list(query: SyncListQueryDto): Promise<{ items: SyncRun[]; total: number }> {
    const [items, total] = await this.store.listRuns(query);
    return { items, total };
  }

  async get(id: string): Promise<SyncRun> {
    const run = await this.store.run(id);
    if (!run) throw ApiError.notFound(`No sync run ${id}`);
    return run;
  }

  /** The scheduled pass: each account whose last sync is older than sync.everyMinutes gets one. */
  async syncDue(): Promise<number> {
    const minutes = this.settings.section('sync').everyMinutes;
    if (minutes <= 0) return 0;
    const last = await this.store.lastRunTimes();
    const due = (id: string) => (last.get(id) ?? 0) <= this.clock.nowMs() - minutes * 60_000;
    const accounts: Array<{ source: SyncSource; accountId: string }> = [
      ...(await this.exchangeAccounts.list(1000, 0)).items.map((a) => ({
        source: 'exchange' as const,
        accountId: a.id,
      })),
      ...(await this.threeCommas.list(1000, 0)).items.map((c) => ({
        source: '3commas' as const,
        accountId: c.id,
      })),
    ];
    let started = 0;
    for (const account of accounts.filter((candidate) => due(candidate.accountId))) {
      try {
        await this.start({ ...account, force: false }, 'schedule', 'schedule');
        started++;
      } catch (error) {
        // Another instance or a manual run got there first; the others still go.
        if (!(error instanceof ApiError && error.getStatus() === 409))
          this.logger.warn(`scheduled sync of ${account.accountId}: ${errorMessage(error)}`);
      }
    }
    return started;
  }

  private async execute(job: JobContext<{ runId: string }>): Promise<object> {
    const run = await this.get(job.data.runId);
    await this.store.updateRun(run.id, { state: 'running', startedAt: run.startedAt ?? this.clock.now() });
    const progress = this.progressOf(run, job);
    try {
      if (run.source === 'exchange') await this.exchangeImporter.run(run, progress);
      else await this.threeCommasImporter.run(run, progress);
      await progress.add({ fetched: 0 }, 1);
      await this.store.updateRun(run.id, { state: 'completed', progress: 100, finishedAt: this.clock.now() });
      return {
        fetched: run.fetched,
        imported: run.imported,
        skipped: run.skipped,
        matched: run.matched,
        ...run.details,
      };
    } catch (error) {
      const cancelled = error instanceof JobAbortedError && error.reason === 'cancelled';
      const message =
        error instanceof ThreeCommasError ? threeCommasApiError(error).message : errorMessage(error);
      run.errors.push(message.slice(0, 500));
      const willRetry = !cancelled && job.attempt <= SYNC_RETRIES;
      await this.store.updateRun(run.id, {
        state: cancelled ? 'cancelled' : willRetry ? 'queued' : 'failed',
        errors: run.errors,
        finishedAt: willRetry ? null : this.clock.now(),
      });
      throw error;
    }
  }

  /** Counts kept on the run row as pages are imported, and the job's progress. */
  private progressOf(run: SyncRun, job: JobContext<{ runId: string }>): SyncProgress {
    return {
      add: async (counts, done) => {
        run.fetched += counts.fetched;
        run.imported += counts.imported ?? 0;
        run.skipped += counts.skipped ?? 0;
        run.matched += counts.matched ?? 0;
        run.progress = Math.max(run.progress, Math.min(100, Math.floor(done * 100)));
        await this.store.updateRun(run.id, {
          fetched: run.fetched,
          imported: run.imported,
          skipped: run.skipped,
          matched: run.matched,
          progress: run.progress,
          details: run.details,
        });
        await job.progress(run.progress);
      },
      details: (values) => Object.assign(run.details, values),
      now: () => this.clock.nowMs(),
    };
  }
}
