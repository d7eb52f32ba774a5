import { ArgumentsHost, Catch, ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { buildErrorBody } from './error-body';
import { ErrorCode } from './error-codes';
import { mapError } from './error-mapping';
import { RouteTable } from './route-table';

/**
 * Every error of every HTTP route leaves through here, in the one error shape: Nest exceptions,
 * Fastify's own errors (body parsing, size limits) and requests that matched no route.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(private readonly routes: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    this.send(request, reply, this.refineUnmatchedRoute(request, exception));
  }

  /** A request that matched no route: 405 with Allow when the path exists under another method. */
  private refineUnmatchedRoute(request: FastifyRequest, exception: unknown): unknown {
    if (!(exception instanceof NotFoundException) || exception instanceof ApiError) return exception;
    if (request.routeOptions?.url) return exception;
    const allowed = this.routes.allowedMethods(request.url);
    const path = request.url.split('?')[0];
    if (allowed.length === 0) return ApiError.notFound(`No route ${request.method} ${path}`);
    return new ApiError(
      405,
      ErrorCode.METHOD_NOT_ALLOWED,
      `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
      undefined,
      {},
      { Allow: allowed.join(', ') },
    );
  }

  private send(request: FastifyRequest, reply: FastifyReply, exception: unknown): void {
    const mapped = mapError(exception);
    if (mapped.internal) {
      // The cause stays in the log, under the request id; the client sees a plain 500.
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    if (reply.sent) return;
    for (const [name, value] of Object.entries(mapped.headers ?? {})) void reply.header(name, value);
    void reply
      .status(mapped.status)
      .type('application/json; charset=utf-8')
      .send(
        buildErrorBody(
          mapped.status,
          mapped.code,
          mapped.message,
          String(request.id),
          mapped.details,
          mapped.extra,
        ),
      );
  }
}
