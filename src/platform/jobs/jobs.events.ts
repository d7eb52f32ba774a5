import type { JobView } from './job-queue';

/** What the job queue announces. */
declare module '../events/event-bus' {
  interface DomainEvents {
    /** A job was queued, started, progressed, finished, retried or cancelled. */
    'job.updated': JobView;
  }
}
