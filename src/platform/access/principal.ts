import type { FastifyRequest } from 'fastify';
import { Role } from './role';

/** Who is calling: a signed-in user or an API key, with the role that decides what it may do. */
export interface Principal {
  kind: 'user' | 'apiKey';
  id: string;
  name: string;
  role: Role;
}

/**
 * Resolves the caller of a request from its credentials. The identity module provides it; until
 * one is registered, no request has a principal and every protected route answers 401.
 */
export interface PrincipalResolver {
  resolve(request: FastifyRequest): Promise<Principal | undefined>;
}

export const PRINCIPAL_RESOLVER = Symbol('PRINCIPAL_RESOLVER');

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
