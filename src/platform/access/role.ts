/** Roles in ascending order of power: each may do everything the ones before it may. */
export enum Role {
  READ_ONLY = 'READ_ONLY',
  CONTROL = 'CONTROL',
  ADMIN = 'ADMIN',
  SUPER_ADMIN = 'SUPER_ADMIN',
}

export const ROLE_ORDER: readonly Role[] = [Role.READ_ONLY, Role.CONTROL, Role.ADMIN, Role.SUPER_ADMIN];

export function roleRank(role: Role): number {
  return ROLE_ORDER.indexOf(role);
}

export function roleSatisfies(held: Role, required: Role): boolean {
  return roleRank(held) >= roleRank(required);
}
