import type { JobView } from './job-queue';

/** Fewest milliseconds between two updates of one job (at most 2 a second). */
export const JOB_UPDATE_SPACING_MS = 500;

/**
 * Passes job updates on at most twice a second per job: an update within the spacing waits, and
 * only the newest waiting one goes out, so the last state (a finish) is never dropped.
 */
export class JobUpdateThrottle {
  private readonly lastSent = new Map<string, number>();
  private readonly waiting = new Map<string, { view: JobView; timer: NodeJS.Timeout }>();

  constructor(
    private readonly send: (view: JobView) => void,
    private readonly now: () => number = Date.now,
  ) {}

  offer(view: JobView): void {
    const pending = this.waiting.get(view.id);
    if (pending) {
      pending.view = view;
      return;
    }
    const wait = (this.lastSent.get(view.id) ?? -Infinity) + JOB_UPDATE_SPACING_MS - this.now();
    if (wait <= 0) {
      this.deliver(view);
      return;
    }
    const timer = setTimeout(() => {
      const latest = this.waiting.get(view.id);
      this.waiting.delete(view.id);
      if (latest) this.deliver(latest.view);
    }, wait);
    timer.unref();
    this.waiting.set(view.id, { view, timer });
  }

  /** Sends every waiting update now (shutdown). */
  flushAll(): void {
    for (const [id, { view, timer }] of this.waiting) {
      clearTimeout(timer);
      this.waiting.delete(id);
      this.send(view);
    }
  }

  private deliver(view: JobView): void {
    this.send(view);
    if (view.state === 'completed' || view.state === 'cancelled' || view.state === 'failed')
      this.lastSent.delete(view.id);
    else this.lastSent.set(view.id, this.now());
  }
}
