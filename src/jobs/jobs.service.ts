import { Injectable } from '@nestjs/common';
import type { Principal } from '../platform/access/principal';
import { roleSatisfies } from '../platform/access/role';
import { ApiError } from '../platform/http/api-error';
import { FINISHED_JOB_STATES, JobFilter, JobQueue, JobView } from '../platform/jobs/job-queue';

/** The jobs API: who may see and cancel which job. */
@Injectable()
export class JobsService {
  constructor(private readonly jobs: JobQueue) {}

  list(filter: JobFilter): Promise<{ items: JobView[]; total: number }> {
    return this.jobs.list(filter);
  }

  async get(id: string, caller: Principal): Promise<JobView> {
    const job = await this.jobs.get(id);
    // A job the caller may not see is answered like one that does not exist.
    if (!job || !this.mayHandle(job, caller)) throw ApiError.notFound(`No job ${id}`);
    return job;
  }

  async cancel(id: string, caller: Principal): Promise<JobView> {
    const job = await this.get(id, caller);
    if (FINISHED_JOB_STATES.includes(job.state))
      throw ApiError.conflict(
        `job ${id} is ${job.state}; only a queued, retrying or running job can be cancelled`,
      );
    const cancelled = await this.jobs.cancel(id);
    if (!cancelled) throw ApiError.notFound(`No job ${id}`);
    return cancelled;
  }

  private mayHandle(job: JobView, caller: Principal): boolean {
    return roleSatisfies(caller.role, this.jobs.handledBy(job.queue));
  }
}
