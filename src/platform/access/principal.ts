import type { FastifyRequest } from 'fastify';
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
  /** The sign-in (refresh-token family) a user's access token belongs to. */
  sessionId?: string;
}

/**
 * Resolves the caller of a request from its credentials. The identity module provides it; until
 * one is registered, no request has a principal and every protected route answers 401.
 */
export interface PrincipalResolver {
  resolve(request: FastifyRequest): Promise<Principal | undefined>;
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
