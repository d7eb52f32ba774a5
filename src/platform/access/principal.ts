import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { ErrorCode } from '../http/error-codes';
import { Role } from './role';

/** Who is calling: a signed-in user or an API key, with the role that decides what it may do. */
export interface Principal {
  kind: 'user' | 'apiKey';
  id: string;
  name: string;
  role: Role;
  /** What the principal may do, as roles: a user's role and those below it, or a key's own list. */
  permissions: Role[];
  /** An API key's own limit, per hour. */
  rateLimitPerHour?: number;
  /** The user an API key acts for: the one who created it (or the creator of the key that created it). */
  ownerId?: string;
  /** The sign-in (refresh-token family) a user's access token belongs to. */
  sessionId?: string;
}

/**
 * Resolves the caller of a request from its credentials. The identity module provides it; until
 * one is registered, no request has a principal and every protected route answers 401.
 */
export interface PrincipalResolver {
  resolve(request: FastifyRequest): Promise<Principal | undefined>;
  /** The principal of a bare credential (a JWT or an API key), as WebSocket clients present it. */
  resolveToken(token: string): Promise<Principal | undefined>;
}

/** The caller of a route behind @Auth (the guard set it); a 401 if there is none. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new ApiError(401, ErrorCode.AUTHENTICATION_ERROR, 'A valid bearer token or X-API-Key is required');
  return request.principal;
}

/** Whether the request carries credentials at all (to tell "missing" from "invalid" in a 401). */
export function hasCredentials(request: FastifyRequest): boolean {
  return Boolean(request.headers.authorization || request.headers['x-api-key']);
}

export const PRINCIPAL_RESOLVER = Symbol('PRINCIPAL_RESOLVER');

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Where a request comes from. */
export interface ClientContext {
  ip: string;
  userAgent: string | undefined;
}

/** Who calls a route behind @Auth, and from where. */
export interface CallerContext extends ClientContext {
  principal: Principal;
  /** "user:<id>" or "apiKey:<id>": how orders, jobs and idempotency keys record who made them. */
  key: string;
}

function clientOf(request: FastifyRequest): ClientContext {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** Who a caller is, readably, as histories record it: `user:<name>` or `apiKey:<name>`. */
export function actorNameOf(caller: CallerContext): string {
  return `${caller.principal.kind}:${caller.principal.name}`;
}

/** The caller of a route behind @Auth, as a handler parameter: `@Caller() caller: CallerContext`. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): CallerContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const principal = principalOf(request);
  return { principal, key: `${principal.kind}:${principal.id}`, ...clientOf(request) };
});

/** Where the request of a public route comes from: `@Client() client: ClientContext`. */
export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): ClientContext =>
  clientOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
