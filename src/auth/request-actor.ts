import type { CallerContext, Principal } from '../platform/access/principal';

/** Who is acting, and from which address: what every audited change records. */
export interface ActorContext {
  actor: Principal;
  ip: string;
}

/** Who is acting, from where: for routes behind @Auth, where the guard has set the principal. */
export function actorOf(caller: CallerContext): ActorContext {
  return { actor: caller.principal, ip: caller.ip };
}
