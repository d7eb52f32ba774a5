import type { CallerContext } from '../platform/access/principal';
import { Role, roleSatisfies } from '../platform/access/role';

/** Who sends an engine command: whether they may reset a kill switch, and how orders record them. */
export function commandCaller(caller: CallerContext): { isAdmin: boolean; actor: string } {
  return { isAdmin: roleSatisfies(caller.principal.role, Role.ADMIN), actor: caller.key };
}
