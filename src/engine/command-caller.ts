import type { FastifyRequest } from 'fastify';
import { principalOf } from '../platform/access/principal';
import { Role, roleSatisfies } from '../platform/access/role';
import { principalKey } from '../platform/idempotency/idempotency.interceptor';

/** Who sends an engine command: whether they may reset a kill switch, and how orders record them. */
export function commandCaller(request: FastifyRequest): { isAdmin: boolean; actor: string } {
  return { isAdmin: roleSatisfies(principalOf(request).role, Role.ADMIN), actor: principalKey(request) };
}
