import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiError } from '../http/api-error';
import { Clock } from '../time/clock';
import { HOUSEKEEPING_POLL_SECONDS, JobQueue } from '../jobs/job-queue';
import { errorMessage } from '../errors/error-message';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
export const IDEMPOTENCY_EXPIRY_QUEUE = 'housekeeping.idempotency-expiry';
const WAIT_STEP_MS = 20;
const WAIT_LIMIT_MS = 15_000;

/** What a first request got, replayed to its repeats. */
export type StoredResponse =
  | { kind: 'success'; status: number; body: unknown }
  | { kind: 'error'; status: number; code: string; message: string; details?: unknown };

export type Claim = { kind: 'first' } | { kind: 'replay'; response: StoredResponse };

/** Stable JSON: object keys sorted, so equal bodies hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(route).update('\n').update(canonical(body)).digest('hex');
}

/**
 * Idempotency keys of creating requests: the first request with a key claims it and runs; a repeat
 * with the same body gets the first one's stored response (waiting while the first still runs); a
 * repeat with another body is a 409. Keys are scoped to the principal and kept 24 hours.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit {
  private readonly logger = new Logger('Idempotency');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
  ) {}

  /** Expired keys are deleted hourly, by one instance. */
  async onModuleInit(): Promise<void> {
    await this.jobs.define(
      IDEMPOTENCY_EXPIRY_QUEUE,
      { retryLimit: 0, exclusive: true, pollSeconds: HOUSEKEEPING_POLL_SECONDS },
      async () => ({
        deleted: await this.deleteExpired(),
      }),
    );
    await this.jobs.schedule(IDEMPOTENCY_EXPIRY_QUEUE, '0 * * * *');
  }

  async claim(principal: string, key: string, route: string, body: unknown): Promise<Claim> {
    const hash = requestHash(route, body);
    const now = this.clock.nowMs();
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const inserted = await this.dataSource.query<Array<{ key: string }>>(
        `INSERT INTO idempotency_keys (principal, key, route, request_hash, state, expires_at)
         VALUES ($1, $2, $3, $4, 'in_progress', $5)
         ON CONFLICT (principal, key) DO UPDATE
           SET route = EXCLUDED.route, request_hash = EXCLUDED.request_hash, state = 'in_progress',
               response_status = NULL, response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
           WHERE idempotency_keys.expires_at <= $6
         RETURNING key`,
        [principal, key, route, hash, new Date(now + IDEMPOTENCY_TTL_MS), new Date(now)],
      );
      if (inserted.length === 1) return { kind: 'first' };

      const [existing] = await this.dataSource.query<
        Array<{ request_hash: string; state: string; response_status: number | null; response_body: unknown }>
      >(
        'SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE principal = $1 AND key = $2',
        [principal, key],
      );
      if (!existing) continue; // released by a failed first request meanwhile: claim it again
      if (existing.request_hash !== hash)
        throw ApiError.conflict('This Idempotency-Key was already used with a different request');
      if (existing.state === 'completed')
        return { kind: 'replay', response: existing.response_body as StoredResponse };
      if (Date.now() > deadline)
        throw ApiError.conflict('The first request with this Idempotency-Key is still being processed');
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  async complete(principal: string, key: string, response: StoredResponse): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4
       WHERE principal = $1 AND key = $2`,
      [principal, key, response.status, JSON.stringify(response)],
    );
  }

  /** The first request failed in a way a retry may fix (5xx): the key is free again. */
  async release(principal: string, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2', [
      principal,
      key,
    ]);
  }

  async deleteExpired(): Promise<number> {
    try {
      const result = await this.dataSource.query<[unknown[], number]>(
        'DELETE FROM idempotency_keys WHERE expires_at <= $1',
        [new Date(this.clock.nowMs())],
      );
      return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
    } catch (error) {
      this.logger.warn(`expiry failed: ${errorMessage(error)}`);
      return 0;
    }
  }
}
