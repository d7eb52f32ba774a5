/** How many requests a key may send in any window of `windowMs`. */
export interface BudgetLimit {
  key: string;
  perWindow: number;
}

/**
 * Paces requests to a remote API under sliding-window limits (an overall one and stricter per-route
 * ones): a request waits until every limit it falls under has room. Times are real, monotonic
 * milliseconds: the limits are the remote side's, whatever the application's clock says.
 */
export class RequestBudget {
  private readonly sent = new Map<string, number[]>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly windowMs: number,
    /** Kept on top of the window: the remote side counts arrivals, which come a little after sends. */
    private readonly marginMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /**
   * Resolves when a request under `limits` may be sent (and counts it as sent); rejects with
   * BudgetExhausted when that would take longer than `maxWaitMs`. Callers are served in order.
   */
  take(limits: BudgetLimit[], maxWaitMs: number): Promise<void> {
    const turn = this.queue.then(() => this.wait(limits, maxWaitMs));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** How long until a request under `limits` could be sent (0: now). */
  waitFor(limits: BudgetLimit[]): number {
    const now = this.now();
    let wait = 0;
    for (const limit of limits) {
      const times = this.prune(limit.key, now);
      if (times.length >= limit.perWindow) {
        const freesAt = times[times.length - limit.perWindow] + this.windowMs + this.marginMs;
        wait = Math.max(wait, freesAt - now);
      }
    }
    return wait;
  }

  private async wait(limits: BudgetLimit[], maxWaitMs: number): Promise<void> {
    const wait = this.waitFor(limits);
    if (wait > maxWaitMs) throw new BudgetExhausted(wait);
    if (wait > 0) await this.sleep(wait);
    const now = this.now();
    for (const limit of limits) {
      const times = this.sent.get(limit.key) ?? [];
      times.push(now);
      this.sent.set(limit.key, times);
    }
  }

  private prune(key: string, now: number): number[] {
    const times = this.sent.get(key) ?? [];
    while (times.length > 0 && times[0] <= now - this.windowMs - this.marginMs) times.shift();
    return times;
  }
}

export class BudgetExhausted extends Error {
  constructor(readonly waitMs: number) {
    super(`request budget exhausted for ${Math.ceil(waitMs / 1000)} s`);
  }
}
