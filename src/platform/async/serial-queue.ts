/**
 * Runs work one piece at a time, in the order it was asked for; a failure is the caller's and does not
 * block what comes next.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Pieces asked for and not finished yet. */
  get pending(): number {
    return this.waiting;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(work, work).finally(() => this.waiting--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
