import { Injectable } from '@nestjs/common';
import type { BotRuntime } from './bot-runtime';

/** The bots this instance runs (it holds their leases), by id. */
@Injectable()
export class BotRuntimes extends Map<string, BotRuntime> {}
