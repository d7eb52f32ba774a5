import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RuntimeSettings } from '../settings/runtime-settings';
import { ApiError } from '../http/api-error';
import { ErrorCode } from '../http/error-codes';
import { Principal } from './principal';
import { Clock } from '../time/clock';
import { Role } from './role';

/**
 * The limit a route belongs to: its role, anonymous (public routes, login included, and requests
 * without credentials), invalidCredentials (requests whose token or key was refused: counted per IP
 * apart, so a client with a stale token does not use up the login budget of its address), or a
 * special group.
 */
export type RateLimitGroup = 'anonymous' | 'invalidCredentials' | 'keyCreation' | Role;

/** Buckets whose hit is taken back when the request is refused (400, 403): only what succeeded counts. */
const REFUNDED_ON_REFUSAL: ReadonlySet<string> = new Set(['keyCreation']);

interface RefundableStorage {
  refund(key: string, ttl: number, throttlerName: string): void;
}

function isRefundable(storage: unknown): storage is RefundableStorage {
  return typeof (storage as Partial<RefundableStorage>).refund === 'function';
}

interface Bucket {
  name: string;
  key: string;
  limit: number;
  ttlMs: number;
}

interface BucketState {
  limit: number;
  remaining: number;
  resetEpochSeconds: number;
  retryAfterSeconds: number;
  blocked: boolean;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * Counts requests per principal (per client IP when anonymous) against the limit of the route's
 * group, and an API key's own hourly limit on top. Sets the X-RateLimit-* headers of the tightest
 * bucket and refuses with 429 once one is exhausted.
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly settings: RuntimeSettings,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly clock: Clock,
  ) {}

  async consume(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal | undefined,
    group: RateLimitGroup,
  ): Promise<void> {
    const tracker = principal ? `${principal.kind}:${principal.id}` : `ip:${request.ip}`;
    // Key creation has its own hourly budget on top of the caller's role limit (anonymous callers
    // are refused before it matters, and count as anonymous).
    const routeGroup: RateLimitGroup = group === 'keyCreation' ? (principal?.role ?? 'anonymous') : group;
    const effectiveGroup: RateLimitGroup =
      principal || routeGroup === 'invalidCredentials' ? routeGroup : 'anonymous';
    const buckets: Bucket[] = [{ name: effectiveGroup, key: tracker, ...this.limitOf(effectiveGroup) }];
    if (group === 'keyCreation' && principal)
      buckets.push({ name: 'keyCreation', key: tracker, ...this.limitOf('keyCreation') });
    if (principal?.rateLimitPerHour) {
      buckets.push({ name: 'apiKeyHourly', key: tracker, limit: principal.rateLimitPerHour, ttlMs: HOUR });
    }
    const states =
      buckets.length === 1
        ? [await this.hit(buckets[0])]
        : await Promise.all(buckets.map((bucket) => this.hit(bucket)));
    const tightest = states.reduce((a, b) =>
      b.blocked && !a.blocked ? b : !a.blocked && b.remaining < a.remaining ? b : a,
    );
    const storage = this.storage;
    buckets.forEach((bucket, index) => {
      if (!REFUNDED_ON_REFUSAL.has(bucket.name) || states[index].blocked || !isRefundable(storage)) return;
      // A creation refused as invalid (400) or not allowed (403) gives its hit back.
      reply.raw.once('finish', () => {
        if (reply.raw.statusCode === 400 || reply.raw.statusCode === 403)
          storage.refund(bucket.key, bucket.ttlMs, bucket.name);
      });
    });
    void reply.header('X-RateLimit-Limit', tightest.limit);
    void reply.header('X-RateLimit-Remaining', tightest.remaining);
    void reply.header('X-RateLimit-Reset', tightest.resetEpochSeconds);
    if (tightest.blocked) {
      throw new ApiError(
        429,
        ErrorCode.RATE_LIMITED,
        `Rate limit of ${tightest.limit} requests exceeded; retry in ${tightest.retryAfterSeconds} s`,
        undefined,
        { retryAfter: tightest.retryAfterSeconds, limit: tightest.limit, reset: tightest.resetEpochSeconds },
        { 'Retry-After': String(tightest.retryAfterSeconds) },
      );
    }
  }

  private limitOf(group: RateLimitGroup): { limit: number; ttlMs: number } {
    const limits = this.settings.section('rateLimits');
    switch (group) {
      case 'anonymous':
      case 'invalidCredentials':
        return { limit: limits.anonymousPerMinute, ttlMs: MINUTE };
      case 'keyCreation':
        return { limit: limits.keyCreationPerHour, ttlMs: HOUR };
      case Role.READ_ONLY:
        return { limit: limits.readOnlyPerMinute, ttlMs: MINUTE };
      case Role.CONTROL:
        return { limit: limits.controlPerMinute, ttlMs: MINUTE };
      case Role.ADMIN:
      case Role.SUPER_ADMIN:
        return { limit: limits.adminPerMinute, ttlMs: MINUTE };
    }
  }

  private async hit(bucket: Bucket): Promise<BucketState> {
    const record = await this.storage.increment(bucket.key, bucket.ttlMs, bucket.limit, 0, bucket.name);
    return {
      limit: bucket.limit,
      remaining: Math.max(0, bucket.limit - record.totalHits),
      resetEpochSeconds: Math.ceil(this.clock.nowMs() / 1000) + record.timeToExpire,
      retryAfterSeconds: record.isBlocked ? record.timeToBlockExpire : 0,
      blocked: record.isBlocked,
    };
  }
}
