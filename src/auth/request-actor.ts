import type { FastifyRequest } from 'fastify';
import { Principal } from '../platform/access/principal';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';

/** Who is acting, and from which address: what every audited change records. */
export interface ActorContext {
  actor: Principal;
  ip: string;
}

/** Who is acting, from where: for routes behind @Auth, where the guard has set the principal. */
export function actorOf(request: FastifyRequest): ActorContext {
  return { actor: principalOf(request), ip: request.ip };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new ApiError(401, ErrorCode.AUTHENTICATION_ERROR, 'A valid bearer token or X-API-Key is required');
  return request.principal;
}
