import { Injectable } from '@nestjs/common';

/** The source of "now" for everything that schedules or stamps; tests replace it to control time. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowMs(): number {
    return Date.now();
  }
}
