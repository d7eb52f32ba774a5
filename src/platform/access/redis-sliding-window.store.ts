import { Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { errorMessage } from '../errors/error-message';
import { RedisConnections } from '../redis/redis-connections';
import { Clock } from '../time/clock';
import { SlidingWindowStore } from './sliding-window.store';

/**
 * The same sliding-window counter as SlidingWindowStore (a fixed window plus the previous one weighted
 * by its overlap), kept in Redis so that every instance counts against one budget: one script call per
 * check, atomic. The time is the application's clock, passed in, so instances agree on windows. While
 * Redis cannot be reached, each instance counts on its own (the in-memory store), rather than refusing
 * every request.
 */
const HIT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local w = redis.call('HMGET', KEYS[1], 'start', 'count', 'previous', 'ttl')
local start = tonumber(w[1])
local count = tonumber(w[2])
local previous = tonumber(w[3])
if (not start) or tonumber(w[4]) ~= ttl then
  start = now
  count = 0
  previous = 0
end
local elapsed = math.floor((now - start) / ttl)
if elapsed > 0 then
  if elapsed == 1 then previous = count else previous = 0 end
  count = 0
  start = start + elapsed * ttl
end
local overlap = math.min(1, 1 - (now - start) / ttl)
local used = previous * overlap + count
local blocked = 0
if used + 1 > limit then blocked = 1 else count = count + 1 end
redis.call('HSET', KEYS[1], 'start', start, 'count', count, 'previous', previous, 'ttl', ttl)
redis.call('PEXPIRE', KEYS[1], 2 * ttl)
return {blocked, tostring(used), tostring(start)}
`;

const REFUND = `
local w = redis.call('HMGET', KEYS[1], 'count', 'ttl')
if tonumber(w[1]) and tonumber(w[1]) > 0 and tonumber(w[2]) == tonumber(ARGV[1]) then
  redis.call('HINCRBY', KEYS[1], 'count', -1)
end
return 0
`;

interface StorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

@Injectable()
export class RedisSlidingWindowStore implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimits');
  private unreachableSince: number | null = null;

  constructor(
    private readonly redis: RedisConnections,
    private readonly local: SlidingWindowStore,
    private readonly clock: Clock,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<StorageRecord> {
    const now = this.clock.nowMs();
    try {
      const [blocked, usedText, startText] = (await this.redis
        .commands()
        .eval(HIT, 1, this.redisKey(throttlerName, key), now, ttl, limit)) as [number, string, string];
      this.reachable();
      const used = Number(usedText);
      const isBlocked = blocked === 1;
      const timeToExpire = Math.max(1, Math.ceil((Number(startText) + ttl - now) / 1000));
      return {
        totalHits: isBlocked ? limit + 1 : Math.min(limit, Math.ceil(used + 1)),
        timeToExpire,
        isBlocked,
        timeToBlockExpire: isBlocked ? timeToExpire : 0,
      };
    } catch (error) {
      this.unreachable(error);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  refund(key: string, ttl: number, throttlerName: string): void {
    this.redis
      .commands()
      .eval(REFUND, 1, this.redisKey(throttlerName, key), ttl)
      .catch(() => this.local.refund(key, ttl, throttlerName));
  }

  private redisKey(throttlerName: string, key: string): string {
    return this.redis.key(`ratelimit:${throttlerName}|${key}`);
  }

  private reachable(): void {
    if (this.unreachableSince === null) return;
    this.logger.log('Redis is back: rate limits are shared across instances again');
    this.unreachableSince = null;
  }

  private unreachable(error: unknown): void {
    if (this.unreachableSince !== null) return;
    this.unreachableSince = this.clock.nowMs();
    this.logger.warn(
      `Redis unreachable (${errorMessage(error)}): rate limits count per instance until it is back`,
    );
  }
}
