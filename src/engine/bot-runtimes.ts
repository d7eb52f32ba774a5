import { Injectable } from '@nestjs/common';
import { RecentValues } from '../platform/metrics/recent-stats';
import type { BotRuntime } from './bot-runtime';

/** The bots this instance runs (it holds their leases), by id, and how long their last cycles took. */
@Injectable()
export class BotRuntimes extends Map<string, BotRuntime> {
  /** Seconds, of the last 1,000 cycles of any bot. */
  readonly cycleSeconds = new RecentValues(1000);
}
