import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, from, lastValueFrom, Observable } from 'rxjs';
import { ApiError } from '../http/api-error';
import { principalOf } from '../access/principal';
import { IdempotencyService } from './idempotency.service';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The principal's scope for keys: "user:<id>" or "apiKey:<id>". */
export function principalKey(request: FastifyRequest): string {
  const principal = principalOf(request);
  return `${principal.kind}:${principal.id}`;
}

/**
 * Applies the `Idempotency-Key` header of a creating route (see IdempotencyService). Without the
 * header the request runs as usual. A replayed response carries `Idempotent-Replayed: true`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    return defer(() => from(this.run(context, request, header, next)));
  }

  private async run(
    context: ExecutionContext,
    request: FastifyRequest,
    header: string | string[],
    next: CallHandler,
  ): Promise<unknown> {
    const key = Array.isArray(header) ? header[0] : header;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key))
      throw ApiError.validation('Idempotency-Key must be 1 to 255 visible ASCII characters');
    const principal = principalKey(request);
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const claim = await this.keys.claim(principal, key, route, request.body ?? null);
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    if (claim.kind === 'replay') {
      reply.header('Idempotent-Replayed', 'true');
      const stored = claim.response;
      if (stored.kind === 'error')
        throw new ApiError(stored.status, stored.code, stored.message, stored.details);
      return stored.body;
    }
    const status =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
      (request.method === 'POST' ? 201 : 200);
    try {
      const body: unknown = await lastValueFrom(next.handle() as Observable<unknown>, {
        defaultValue: undefined,
      });
      await this.keys.complete(principal, key, { kind: 'success', status, body });
      return body;
    } catch (error) {
      if (error instanceof ApiError && error.getStatus() < 500) {
        await this.keys.complete(principal, key, {
          kind: 'error',
          status: error.getStatus(),
          code: error.code,
          message: error.message,
          details: error.details,
        });
      } else {
        await this.keys.release(principal, key);
      }
      throw error;
    }
  }
}
