import { Role } from '../access/role';

/** Where a job stands: waiting, waiting to be tried again, running, or one of the ends. */
export const JOB_STATES = ['queued', 'retry', 'running', 'completed', 'cancelled', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Housekeeping runs every 10 minutes at most often: its workers need not look more than once a minute. */
export const HOUSEKEEPING_POLL_SECONDS = 60;

export const FINISHED_JOB_STATES: readonly JobState[] = ['completed', 'cancelled', 'failed'];

/** A job as the API shows it. */
export interface JobView {
  id: string;
  queue: string;
  state: JobState;
  /** 0-100, as the job last reported it (100 once completed). */
  progress: number;
  /** Attempts started so far (1 while the first runs). */
  attempts: number;
  /** Attempts allowed in all, the first included. */
  maxAttempts: number;
  singletonKey: string | null;
  data: unknown;
  /** What the job returned, once completed. */
  result: unknown;
  /** Why the last attempt failed, or why the job was cancelled. */
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What a handler gets: its data, a signal that aborts on cancel or shutdown, and a progress reporter. */
export interface JobContext<T> {
  id: string;
  queue: string;
  data: T;
  /** 1 on the first attempt. */
  attempt: number;
  signal: AbortSignal;
  /**
   * Records progress (0-100) and lets the event loop serve other work; throws JobAbortedError once
   * the job was cancelled or the instance stops.
   */
  progress(percent: number): Promise<void>;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<object | void>;

export interface QueueSettings {
  /** The least role that may see and cancel this queue's jobs (default ADMIN). */
  handledBy?: Role;
  /** Jobs of this queue one instance runs at the same time. */
  concurrency?: number;
  /** Attempts after the first one fails. */
  retryLimit?: number;
  /** Wait before the first retry; it doubles with each further one. */
  retryDelaySeconds?: number;
  /** A running attempt that takes longer fails (and may be retried). */
  expireInSeconds?: number;
  /**
   * How often an idle worker looks for a new job (default 2 s; at least 0.5 s). Every look is a query
   * on the application's database, which on PGlite is one session shared with the API.
   */
  pollSeconds?: number;
  /**
   * At most one job per singleton key queued or running at a time (one per queue for jobs without a
   * key): enqueuing another returns null. Fixed when the queue is first created.
   */
  exclusive?: boolean;
}

export interface EnqueueOptions {
  /** The job's id (a UUID), when the caller keys its own record by it. */
  id?: string;
  /** On an exclusive queue: while a job with this key is queued or running, enqueuing another returns null. */
  singletonKey?: string;
}

export interface JobFilter {
  queue?: string;
  state?: JobState;
  limit: number;
  offset: number;
}

/** Thrown inside a handler (by `progress` or the caller's own checks) once its job must stop. */
export class JobAbortedError extends Error {
  constructor(readonly reason: 'cancelled' | 'shutdown') {
    super(reason === 'cancelled' ? 'cancelled' : 'the instance stopped; the job runs again after restart');
  }
}

/**
 * Thrown by a handler whose job cannot succeed by trying again (a request with no data to work on):
 * the job fails at once with this message, its remaining attempts unused.
 */
export class JobFailedError extends Error {}

/**
 * Durable background work on the project's own database: jobs survive a crash and run again, run
 * once across instances, retry with exponential backoff, report progress and can be cancelled;
 * cron schedules fire once across instances.
 */
export abstract class JobQueue {
  /** Runs `handler` for the queue's jobs on this instance (call during module init). */
  abstract define<T>(queue: string, settings: QueueSettings, handler: JobHandler<T>): Promise<void>;
  /** The new job's id, or null when a job with the same singleton key is already waiting or running. */
  abstract enqueue(queue: string, data: object, options?: EnqueueOptions): Promise<string | null>;
  /** Enqueues a job on `queue` at every match of the cron expression (UTC), once across instances. */
  abstract schedule(queue: string, cron: string): Promise<void>;
  abstract get(id: string): Promise<JobView | null>;
  abstract list(filter: JobFilter): Promise<{ items: JobView[]; total: number }>;
  /** Cancels a waiting or running job (a running one stops at its next progress report). */
  abstract cancel(id: string): Promise<JobView | null>;
  /** The least role that may see and cancel the queue's jobs. */
  abstract handledBy(queue: string): Role;
  /** How many jobs each queue holds in each state (queue depth, failures). */
  abstract counts(): Promise<Array<{ queue: string; state: JobState; count: number }>>;
}
