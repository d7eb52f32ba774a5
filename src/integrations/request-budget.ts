/** How many requests a key may send in any window of `windowMs`. */
export interface BudgetLimit {
  key: string;
  perWindow: number;
}

/** When a request counts: from now on while it is under way, from its answer once answered. */
interface Stamp {
  at: number;
  answered: boolean;
}

/**
 * Paces requests to a remote API under sliding-window limits (an overall one and stricter per-route
 * ones): a request waits until every limit it falls under has room. A request counts from when it
 * was sent and, once answered, from its answer: the remote side received it no later than that, so
 * however long requests travel, it never sees more than the limit in one of its windows. Times are
 * real, monotonic milliseconds: the limits are the remote side's, whatever the application's clock says.
 */
export class RequestBudget {
  private readonly sent = new Map<string, Stamp[]>();
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
   * Resolves when a request under `limits` may be sent (and counts it as sent), with what to call
   * when it is answered; rejects with BudgetExhausted when that would take longer than `maxWaitMs`.
   * Callers are served in order.
   */
  take(limits: BudgetLimit[], maxWaitMs: number): Promise<() => void> {
    const turn = this.queue.then(() => this.wait(limits, maxWaitMs));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** How long until a request under `limits` could be sent (0: now). */
  waitFor(limits: BudgetLimit[]): number {
    const now = this.now();
    let wait = 0;
    for (const limit of limits) {
      const times = this.prune(limit.key, now);
      if (times.length >= limit.perWindow) {
        // A request under way may reach the remote side as late as now.
        const counted = times.map((stamp) => (stamp.answered ? stamp.at : now)).sort((a, b) => a - b);
        const freesAt = counted[counted.length - limit.perWindow] + this.windowMs + this.marginMs;
        wait = Math.max(wait, freesAt - now);
      }
    }
    return wait;
  }

  private async wait(limits: BudgetLimit[], maxWaitMs: number): Promise<() => void> {
    const deadline = this.now() + maxWaitMs;
    // Again after each sleep: a request under way that held the window may have been answered since.
    for (let wait = this.waitFor(limits); wait > 0; wait = this.waitFor(limits)) {
      if (this.now() + wait > deadline) throw new BudgetExhausted(wait);
      await this.sleep(Math.min(wait, 100));
    }
    const stamp: Stamp = { at: this.now(), answered: false };
    for (const limit of limits) {
      const times = this.sent.get(limit.key) ?? [];
      times.push(stamp);
      this.sent.set(limit.key, times);
    }
    return () => {
      stamp.at = this.now();
      stamp.answered = true;
    };
  }

  /** The key's requests still in the window: answered within it, or under way. */
  private prune(key: string, now: number): Stamp[] {
    const since = now - this.windowMs - this.marginMs;
    const times = (this.sent.get(key) ?? []).filter((stamp) => !stamp.answered || stamp.at > since);
    this.sent.set(key, times);
    return times;
  }
}

export class BudgetExhausted extends Error {
  constructor(readonly waitMs: number) {
    super(`request budget exhausted for ${Math.ceil(waitMs / 1000)} s`);
  }
}
