import type { FastifyRequest } from 'fastify';
import { Principal, principalOf } from '../platform/access/principal';

export { principalOf };

/** Who is acting, and from which address: what every audited change records. */
export interface ActorContext {
  actor: Principal;
  ip: string;
}

/** Who is acting, from where: for routes behind @Auth, where the guard has set the principal. */
export function actorOf(request: FastifyRequest): ActorContext {
  return { actor: principalOf(request), ip: request.ip };
}
