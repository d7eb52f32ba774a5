import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Clock } from '../time/clock';

interface Window {
  /** Start of the current fixed window, ms. */
  start: number;
  count: number;
  /** Hits in the window before the current one. */
  previous: number;
  ttl: number;
}

interface StorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Sliding-window counter behind @nestjs/throttler's storage interface: O(1) time and memory per key,
 * whatever the limit. The hit count is the current window's hits plus the previous window's, weighted
 * by how much of it still overlaps the sliding window. A refused request is not counted.
 *
 * (The stock in-memory storage keeps one timestamp per hit and scans them on every request, which is
 * unusable for high limits.) A Redis implementation of the same interface can replace this one.
 */
@Injectable()
export class SlidingWindowStore implements ThrottlerStorage, OnModuleDestroy {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly clock: Clock) {
    this.sweeper = setInterval(() => this.evictIdle(), 60_000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<StorageRecord> {
    return Promise.resolve(this.hit(`${throttlerName}|${key}`, ttl, limit));
  }

  /** Takes back one hit of the current window: for a request that turned out not to count. */
  refund(key: string, ttl: number, throttlerName: string): void {
    const window = this.windows.get(`${throttlerName}|${key}`);
    if (window && window.ttl === ttl && window.count > 0) window.count--;
  }

  private hit(key: string, ttl: number, limit: number): StorageRecord {
    const now = this.clock.nowMs();
    let window = this.windows.get(key);
    if (!window || window.ttl !== ttl) {
      window = { start: now, count: 0, previous: 0, ttl };
      this.windows.set(key, window);
    }
    const elapsedWindows = Math.floor((now - window.start) / ttl);
    if (elapsedWindows > 0) {
      window.previous = elapsedWindows === 1 ? window.count : 0;
      window.count = 0;
      window.start += elapsedWindows * ttl;
    }
    // A clock stepped back (NTP) puts `now` before the window's start: the previous window then counts
    // in full, not many times over.
    const overlap = Math.min(1, 1 - (now - window.start) / ttl);
    const used = window.previous * overlap + window.count;
    const isBlocked = used + 1 > limit;
    if (!isBlocked) window.count++;
    const timeToExpire = Math.max(1, Math.ceil((window.start + ttl - now) / 1000));
    return {
      totalHits: isBlocked ? limit + 1 : Math.min(limit, Math.ceil(used + 1)),
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    };
  }

  private evictIdle(): void {
    const now = this.clock.nowMs();
    for (const [key, window] of this.windows) {
      if (now - window.start >= 2 * window.ttl) this.windows.delete(key);
    }
  }
}
