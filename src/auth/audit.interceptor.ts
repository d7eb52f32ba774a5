import {
  CallHandler,
  ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { AuditService } from './audit.service';
import { AUDIT_ACTION } from './audit-action';
import { AuditResult } from './entities/audit-entry.entity';

/** Writes the audit line of an @Audited route once the handler has succeeded or failed. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<string | undefined>(AUDIT_ACTION, context.getHandler());
    if (!action || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Params: Record<string, string> }>>();
    // The route's :id, or the id of what a creating route made.
    const write = (result: AuditResult, status: number, createdId?: string) => {
      const targetId = request.params?.id ?? createdId;
      return this.audit
        .record({
          action,
          result,
          actor: request.principal,
          ip: request.ip,
          target: targetId ? { type: action.split('.')[0], id: targetId } : undefined,
          details: { method: request.method, route: request.routeOptions.url, status },
        })
        .catch((error: unknown) =>
          this.logger.error(`audit line for ${action} not written: ${String(error)}`),
        );
    };
    return next.handle().pipe(
      mergeMap((value: unknown) => from(write('success', 200, createdIdOf(value)).then(() => value))),
      catchError((error: unknown) => {
        const status = error instanceof HttpException ? error.getStatus() : 500;
        return from(write(status === 401 || status === 403 ? 'denied' : 'failure', status)).pipe(
          mergeMap(() => throwError(() => error)),
        );
      }),
    );
  }
}

function createdIdOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}
