import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { ErrorCode } from '../http/error-codes';
import { AppConfig } from '../config/app-config';
import { PUBLIC_ROUTE, PUBLIC_WHEN, REQUIRED_ROLE } from './access.decorators';
import { PRINCIPAL_RESOLVER, PrincipalResolver } from './principal';
import { Role, roleSatisfies } from './role';

/**
 * Denies by default: a route answers only when it is marked @Public() or @Auth(role) and, for the
 * latter, the caller's principal holds at least that role.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    @Optional() @Inject(PRINCIPAL_RESOLVER) private readonly resolver?: PrincipalResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const publicWhen = this.reflector.getAllAndOverride<((config: AppConfig) => boolean) | undefined>(
      PUBLIC_WHEN,
      targets,
    );
    const isPublic =
      this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) || publicWhen?.(this.config) === true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    const request = context.switchToHttp().getRequest<FastifyRequest>();

    if (isPublic) {
      // A public route still knows its caller when credentials are sent (rate limits, audit).
      request.principal = await this.resolver?.resolve(request).catch(() => undefined);
      return true;
    }
    if (!required) {
      throw new ApiError(
        403,
        ErrorCode.AUTHORIZATION_ERROR,
        'This route declares no access rule and is closed',
      );
    }
    const principal = this.resolver ? await this.resolver.resolve(request) : undefined;
    if (!principal) {
      throw new ApiError(
        401,
        ErrorCode.AUTHENTICATION_ERROR,
        'A valid bearer token or X-API-Key is required',
      );
    }
    request.principal = principal;
    if (!roleSatisfies(principal.role, required)) {
      throw new ApiError(403, ErrorCode.AUTHORIZATION_ERROR, `This action needs the ${required} role`);
    }
    return true;
  }
}
