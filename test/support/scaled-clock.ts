import { Clock } from '../../src/platform/time/clock';

/**
 * A clock that runs `speed` times faster than the system's from `originMs` on. Processes given the
 * same origin agree on the time, so a server killed and started again goes on where it was.
 */
export class ScaledClock extends Clock {
  constructor(
    private readonly originMs: number,
    private readonly speed: number,
  ) {
    super();
  }

  override nowMs(): number {
    return this.originMs + Math.floor((Date.now() - this.originMs) * this.speed);
  }

  override now(): Date {
    return new Date(this.nowMs());
  }
}
