import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { ApiError } from '../http/api-error';
import { ErrorCode } from '../http/error-codes';
import {
  PUBLIC_ROUTE,
  PUBLIC_WHEN,
  PublicPredicate,
  RATE_LIMIT_GROUP,
  REQUIRED_ROLE,
  SKIP_RATE_LIMIT,
} from './access.decorators';
import { hasCredentials, PRINCIPAL_RESOLVER, PrincipalResolver } from './principal';
import { RateLimiter, RateLimitGroup } from './rate-limiter';
import { Role, roleSatisfies } from './role';

/**
 * Denies by default: a route answers only when it is marked @Public() or @Auth(role) and, for the
 * latter, the caller's principal holds at least that role. Every request is counted against its rate
 * limit after the principal is known and before access is decided, so failed attempts count too.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    @Optional() private readonly rateLimiter?: RateLimiter,
    @Optional() @Inject(PRINCIPAL_RESOLVER) private readonly resolver?: PrincipalResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const publicWhen = this.reflector.getAllAndOverride<PublicPredicate | undefined>(PUBLIC_WHEN, targets);
    const isPublic =
      this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ||
      publicWhen?.(this.config, request) === true;

    const principal =
      this.resolver && hasCredentials(request) ? await this.resolver.resolve(request) : undefined;
    request.principal = principal;

    if (this.rateLimiter && !this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, targets)) {
      const group =
        this.reflector.getAllAndOverride<RateLimitGroup | undefined>(RATE_LIMIT_GROUP, targets) ??
        required ??
        'anonymous';
      await this.rateLimiter.consume(
        request,
        http.getResponse<FastifyReply>(),
        principal,
        isPublic ? 'anonymous' : group,
      );
    }

    if (isPublic) return true;
    if (!required) {
      throw new ApiError(
        403,
        ErrorCode.AUTHORIZATION_ERROR,
        'This route declares no access rule and is closed',
      );
    }
    if (!principal) {
      throw new ApiError(
        401,
        ErrorCode.AUTHENTICATION_ERROR,
        hasCredentials(request)
          ? 'The token or API key is invalid, expired or revoked'
          : 'A valid bearer token or X-API-Key is required',
      );
    }
    if (!roleSatisfies(principal.role, required)) {
      throw new ApiError(403, ErrorCode.AUTHORIZATION_ERROR, `This action needs the ${required} role`);
    }
    return true;
  }
}
