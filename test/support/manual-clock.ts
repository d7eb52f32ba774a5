import { Clock } from '../../src/platform/time/clock';

/** A clock a test moves by hand. */
export class ManualClock extends Clock {
  constructor(public ms: number) {
    super();
  }

  override nowMs(): number {
    return this.ms;
  }

  override now(): Date {
    return new Date(this.ms);
  }
}
