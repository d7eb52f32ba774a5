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
interface RoutePolicy {
  required: Role | undefined;
  isPublic: boolean;
  publicWhen: PublicPredicate | undefined;
  skipRateLimit: boolean;
  rateLimitGroup: RateLimitGroup;
}

@Injectable()
export class AccessGuard implements CanActivate {
  private readonly policies = new WeakMap<object, RoutePolicy>();

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    @Optional() private readonly rateLimiter?: RateLimiter,
    @Optional() @Inject(PRINCIPAL_RESOLVER) private readonly resolver?: PrincipalResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const policy = this.policyOf(context);
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const isPublic = policy.isPublic || policy.publicWhen?.(this.config, request) === true;

    const principal =
      this.resolver && hasCredentials(request) ? await this.resolver.resolve(request) : undefined;
    request.principal = principal;

    if (this.rateLimiter && !policy.skipRateLimit) {
      await this.rateLimiter.consume(
        request,
        http.getResponse<FastifyReply>(),
        principal,
        isPublic
          ? 'anonymous'
          : !principal && hasCredentials(request)
            ? 'invalidCredentials'
            : policy.rateLimitGroup,
      );
    }

    if (isPublic) return true;
    const required = policy.required;
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

  /** A route's access metadata never changes, so it is read once per handler. */
  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      const targets = [handler, context.getClass()];
      const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
      policy = {
        required,
        isPublic: this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true,
        publicWhen: this.reflector.getAllAndOverride<PublicPredicate | undefined>(PUBLIC_WHEN, targets),
        skipRateLimit:
          this.reflector.getAllAndOverride<boolean | undefined>(SKIP_RATE_LIMIT, targets) === true,
        rateLimitGroup:
          this.reflector.getAllAndOverride<RateLimitGroup | undefined>(RATE_LIMIT_GROUP, targets) ??
          required ??
          'anonymous',
      };
      this.policies.set(handler, policy);
    }
    return policy;
  }
}
