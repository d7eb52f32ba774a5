import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ConstructorOptions, Job, PgBoss } from 'pg-boss' with { 'resolution-mode': 'import' };
import { DataSource } from 'typeorm';
import { Role } from '../access/role';
import { yieldToEventLoop } from '../async/yield-to-event-loop';
import { AppConfig } from '../config/app-config';
import { PGlitePool } from '../database/pglite-pool';
import { errorMessage } from '../errors/error-message';
import { EventBus } from '../events/event-bus';
import {
  EnqueueOptions,
  FINISHED_JOB_STATES,
  HOUSEKEEPING_POLL_SECONDS,
  JobAbortedError,
  JobFailedError,
  JobFilter,
  JobHandler,
  JobQueue,
  JobState,
  JobView,
  QueueSettings,
} from './job-queue';
import { JobUpdateThrottle } from './job-update-throttle';

/** pg-boss keeps its tables in this schema of the application's database. */
export const JOB_SCHEMA = 'pgboss';
/** A running attempt that sent no heartbeat for this long (its instance died) is failed and retried. */
const HEARTBEAT_SECONDS = 10;
/** How long, and how often, to look for an attempt's recorded outcome before publishing it. */
const OUTCOME_WAIT_MS = 5000;
const OUTCOME_POLL_MS = 25;
const PROGRESS_CLEANUP_QUEUE = 'housekeeping.job-progress';
/** How often an idle worker looks for a job, unless its queue says otherwise. */
const DEFAULT_POLL_SECONDS = 2;
/** How often running jobs are checked for a cancel made on another instance. */
const CANCEL_POLL_MS = 500;

const BOSS_STATE: Record<JobState, string> = {
  queued: 'created',
  retry: 'retry',
  running: 'active',
  completed: 'completed',
  cancelled: 'cancelled',
  failed: 'failed',
};
const OUR_STATE: Record<string, JobState> = Object.fromEntries(
  Object.entries(BOSS_STATE).map(([ours, theirs]) => [theirs, ours as JobState]),
);

interface JobRow {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  retry_limit: number;
  singleton_key: string | null;
  data: unknown;
  output: unknown;
  created_on: Date | string;
  started_on: Date | string | null;
  completed_on: Date | string | null;
  progress: number | null;
}

const JOB_COLUMNS = `j.id, j.name, j.state, j.retry_count, j.retry_limit, j.singleton_key, j.data, j.output,
  j.created_on, j.started_on, j.completed_on, p.progress`;

/**
 * The job queue on pg-boss, in the application's own database: on PostgreSQL through a pool of its
 * own (3 connections, LISTEN/NOTIFY), on PGlite through the PGlite pool's single session, taken in
 * turn with TypeORM so its statements never land inside another transaction.
 */
@Injectable()
export class PgBossJobQueue extends JobQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private boss!: PgBoss;
  private readonly running = new Map<string, AbortController>();
  /** The pg-boss worker of each queue this instance works on. */
  private readonly workers = new Map<string, string>();
  private readonly progressOf = new Map<string, number>();
  private readonly roles = new Map<string, Role>();
  private readonly updates: JobUpdateThrottle;
  private cancelPoll: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    events: EventBus,
  ) {
    super();
    this.updates = new JobUpdateThrottle((view) => events.publish('job.updated', view));
  }

  private started: Promise<PgBoss> | undefined;

  async onModuleInit(): Promise<void> {
    await this.ready();
    // Progress rows outlive their jobs once pg-boss deletes finished ones: dropped daily.
    const housekeeping = { retryLimit: 0, exclusive: true, pollSeconds: HOUSEKEEPING_POLL_SECONDS };
    await this.define(PROGRESS_CLEANUP_QUEUE, housekeeping, async () => {
      const [, deleted] = await this.dataSource.query<[unknown, number]>(
        `DELETE FROM job_progress p WHERE NOT EXISTS (SELECT 1 FROM ${JOB_SCHEMA}.job j WHERE j.id = p.job_id)`,
      );
      return { deleted };
    });
    await this.schedule(PROGRESS_CLEANUP_QUEUE, '17 3 * * *');
  }

  /** Starts pg-boss once, for whichever comes first: this module's init or another's first call. */
  private ready(): Promise<PgBoss> {
    this.started ??= this.start();
    return this.started;
  }

  private async start(): Promise<PgBoss> {
    const { PgBoss: Boss } = await import('pg-boss');
    this.boss = new Boss({
      ...bossConnection(this.dataSource, this.config.databaseUrl),
      schema: JOB_SCHEMA,
      ...this.timing(),
    });
    this.boss.on('error', (error) => this.logger.warn(`job queue: ${errorMessage(error)}`));
    await this.boss.start();
    this.cancelPoll = setInterval(() => void this.abortCancelledElsewhere(), CANCEL_POLL_MS);
    this.cancelPoll.unref();
    return this.boss;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.cancelPoll);
    for (const controller of this.running.values()) controller.abort(new JobAbortedError('shutdown'));
    this.updates.flushAll();
    // Handlers stop at their next progress report; a job still running at the deadline is left
    // active and taken up again (after its heartbeat lapses) by whichever instance runs next.
    await this.boss?.stop({ graceful: true, timeout: 5000, close: true });
  }

  async define<T>(queue: string, settings: QueueSettings, handler: JobHandler<T>): Promise<void> {
    this.roles.set(queue, settings.handledBy ?? Role.ADMIN);
    await this.ready();
    const options = {
      retryLimit: settings.retryLimit ?? 2,
      retryDelay: settings.retryDelaySeconds ?? 5,
      retryBackoff: true,
      expireInSeconds: settings.expireInSeconds ?? 3600,
      heartbeatSeconds: HEARTBEAT_SECONDS,
    };
    if (await this.boss.getQueue(queue)) await this.boss.updateQueue(queue, options);
    else
      await this.boss.createQueue(queue, {
        ...options,
        policy: settings.exclusive ? 'exclusive' : 'standard',
      });
    const workerId = await this.boss.work<T>(
      queue,
      {
        localConcurrency: settings.concurrency ?? 1,
        batchSize: 1,
        pollingIntervalSeconds: settings.pollSeconds ?? DEFAULT_POLL_SECONDS,
        includeMetadata: true,
      },
      async ([job]) => this.run(queue, job, handler),
    );
    this.workers.set(queue, workerId);
  }

  async enqueue(queue: string, data: object, options: EnqueueOptions = {}): Promise<string | null> {
    await this.ensureQueue(queue);
    const id = await this.boss.send(queue, data, {
      ...(options.id ? { id: options.id } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    });
    if (id) {
      await this.publish(id);
      // A worker of this queue here looks at once instead of at its next poll (idle if it is busy).
      const workerId = this.workers.get(queue);
      if (workerId) this.boss.notifyWorker(workerId);
    }
    return id;
  }

  async schedule(queue: string, cron: string): Promise<void> {
    await this.ensureQueue(queue);
    await this.boss.schedule(queue, cron, {}, { tz: 'UTC' });
  }

  async get(id: string): Promise<JobView | null> {
    const rows: JobRow[] = await this.dataSource.query(
      `SELECT ${JOB_COLUMNS} FROM ${JOB_SCHEMA}.job j LEFT JOIN job_progress p ON p.job_id = j.id WHERE j.id = $1`,
      [id],
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async list(filter: JobFilter): Promise<{ items: JobView[]; total: number }> {
    const where = `($1::text IS NULL OR j.name = $1) AND ($2::text IS NULL OR j.state::text = $2)`;
    const params = [filter.queue ?? null, filter.state ? BOSS_STATE[filter.state] : null];
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<JobRow[]>(
        `SELECT ${JOB_COLUMNS} FROM ${JOB_SCHEMA}.job j LEFT JOIN job_progress p ON p.job_id = j.id
         WHERE ${where} ORDER BY j.created_on DESC, j.id LIMIT $3 OFFSET $4`,
        [...params, filter.limit, filter.offset],
      ),
      this.dataSource.query<Array<{ total: string }>>(
        `SELECT count(*) AS total FROM ${JOB_SCHEMA}.job j WHERE ${where}`,
        params,
      ),
    ]);
    return { items: rows.map(toView), total: Number(total) };
  }

  async cancel(id: string): Promise<JobView | null> {
    const job = await this.get(id);
    if (!job || FINISHED_JOB_STATES.includes(job.state)) return job;
    await this.ready();
    await this.boss.cancel(job.queue, id);
    this.running.get(id)?.abort(new JobAbortedError('cancelled'));
    return this.publish(id);
  }

  async counts(): Promise<Array<{ queue: string; state: JobState; count: number }>> {
    const rows = await this.dataSource.query<Array<{ name: string; state: string; count: string }>>(
      `SELECT name, state::text AS state, count(*) AS count FROM ${JOB_SCHEMA}.job GROUP BY name, state ORDER BY name, state`,
    );
    return rows.map((row) => ({ queue: row.name, state: OUR_STATE[row.state], count: Number(row.count) }));
  }

  handledBy(queue: string): Role {
    return this.roles.get(queue) ?? Role.ADMIN;
  }

  private async run<T>(queue: string, job: Job<T>, handler: JobHandler<T>): Promise<object | void> {
    const controller = new AbortController();
    this.running.set(job.id, controller);
    // pg-boss aborts its own signal when this attempt lost its claim (expired, failed elsewhere).
    job.signal.addEventListener('abort', () => controller.abort(new JobAbortedError('cancelled')), {
      once: true,
    });
    try {
      await this.publish(job.id);
      const result = await handler({
        id: job.id,
        queue,
        data: job.data,
        attempt: job.retryCount + 1,
        signal: controller.signal,
        progress: (percent) => this.reportProgress(job.id, percent, controller.signal),
      });
      await this.saveProgress(job.id, 100);
      return result;
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof JobAbortedError)) throw controller.signal.reason;
      // pg-boss retries while retry_count < retry_limit: no attempts are left for a job that cannot succeed.
      if (error instanceof JobFailedError)
        await this.dataSource.query(
          `UPDATE ${JOB_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`,
          [queue, job.id],
        );
      throw error;
    } finally {
      this.running.delete(job.id);
      this.progressOf.delete(job.id);
      // pg-boss records the outcome once this handler returned: publish what it recorded.
      void this.publishOutcome(job.id);
    }
  }

  private async reportProgress(id: string, percent: number, signal: AbortSignal): Promise<void> {
    // A job's work between reports may be all microtasks (PGlite runs on this thread): requests and
    // timers get their turn here.
    await yieldToEventLoop();
    if (signal.aborted) throw signal.reason;
    const rounded = Math.max(0, Math.min(100, Math.floor(percent)));
    if (this.progressOf.get(id) === rounded) return;
    this.progressOf.set(id, rounded);
    await this.saveProgress(id, rounded);
    await this.publish(id);
    if (signal.aborted) throw signal.reason;
  }

  private async saveProgress(id: string, progress: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO job_progress (job_id, progress, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (job_id) DO UPDATE SET progress = excluded.progress, updated_at = excluded.updated_at`,
      [id, progress],
    );
  }

  private async publish(id: string): Promise<JobView | null> {
    if (this.stopping && this.dataSource.isInitialized === false) return null;
    try {
      const view = await this.get(id);
      if (view) this.updates.offer(view);
      return view;
    } catch (error) {
      this.logger.warn(`job ${id}: update not published: ${errorMessage(error)}`);
      return null;
    }
  }

  /** Waits (a while) for pg-boss to record how an attempt ended, then publishes it. */
  private async publishOutcome(id: string): Promise<void> {
    for (let wait = 0; wait < OUTCOME_WAIT_MS; wait += OUTCOME_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, OUTCOME_POLL_MS));
      if (this.stopping) return;
      const view = await this.get(id).catch(() => null);
      if (view && view.state !== 'running') {
        this.updates.offer(view);
        return;
      }
    }
  }

  /** A cancel made on another instance reaches the handler running here within half a second. */
  private async abortCancelledElsewhere(): Promise<void> {
    if (this.running.size === 0 || this.stopping) return;
    try {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT id FROM ${JOB_SCHEMA}.job WHERE id = ANY($1::uuid[]) AND state = 'cancelled'`,
        [[...this.running.keys()]],
      );
      for (const { id } of rows) this.running.get(id)?.abort(new JobAbortedError('cancelled'));
    } catch (error) {
      this.logger.warn(`cancel check failed: ${errorMessage(error)}`);
    }
  }

  private async ensureQueue(queue: string): Promise<void> {
    await this.ready();
    if (!(await this.boss.getQueue(queue))) await this.boss.createQueue(queue);
  }

  /** Dead instances' jobs are found within seconds, not the default minute. */
  private timing(): ConstructorOptions {
    return { superviseIntervalSeconds: 10, monitorIntervalSeconds: 10, migrate: true };
  }
}

/**
 * Where pg-boss reaches the database: on PostgreSQL a pool of its own (3 connections), on PGlite the
 * PGlite pool's single session, taken in turn with TypeORM.
 */
function bossConnection(dataSource: DataSource, databaseUrl: string | undefined): ConstructorOptions {
  if (databaseUrl) return { connectionString: databaseUrl, max: 3 };
  const pool = (dataSource.driver as unknown as { master: unknown }).master;
  if (!(pool instanceof PGlitePool)) throw new Error('the PGlite data source has no PGlite pool');
  return { backend: 'pglite', db: { executeSql: (text, values) => pool.runStatements(text, values) } };
}

/** Creates (or migrates) pg-boss's schema without running anything: for a database made ready ahead. */
export async function installJobSchema(
  dataSource: DataSource,
  databaseUrl: string | undefined,
): Promise<void> {
  const { PgBoss: Boss } = await import('pg-boss');
  const boss = new Boss({
    ...bossConnection(dataSource, databaseUrl),
    schema: JOB_SCHEMA,
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, close: true });
}

function toView(row: JobRow): JobView {
  const state = OUR_STATE[row.state] ?? 'failed';
  const output = row.output as { message?: unknown } | null;
  return {
    id: row.id,
    queue: row.name,
    state,
    progress: state === 'completed' ? 100 : (row.progress ?? 0),
    attempts: row.started_on ? row.retry_count + 1 : 0,
    maxAttempts: row.retry_limit + 1,
    singletonKey: row.singleton_key,
    data: row.data,
    result: state === 'completed' ? (row.output ?? null) : null,
    error:
      (state === 'failed' || state === 'retry') && output && typeof output.message === 'string'
        ? output.message
        : null,
    createdAt: iso(row.created_on)!,
    startedAt: iso(row.started_on),
    finishedAt: FINISHED_JOB_STATES.includes(state) ? iso(row.completed_on) : null,
  };
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
