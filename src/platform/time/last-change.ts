/**
 * When a row last changed. `updatedAt` comes from the database (the time its transaction began),
 * while the app stamps what happened (filled, closed) with its own clock a moment later, or with an
 * injected clock: the last change is the latest of them.
 */
export function lastChange(updatedAt: Date, ...stamps: Array<Date | null | undefined>): Date {
  return stamps.reduce<Date>((latest, stamp) => (stamp && stamp > latest ? stamp : latest), updatedAt);
}
