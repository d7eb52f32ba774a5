import type { Role } from '../platform/access/role';

/**
 * Access granted earlier may have ended or shrunk: a user was disabled, deleted or given another
 * role, a sign-in ended, or an API key was revoked, disabled or rotated. Holders of long-lived
 * connections check their credentials again.
 */
export interface AccessChangedEvent {
  /** The user whose state changed (their keys are affected too). */
  userId?: string;
  /** The user's new role, when the change was a role change. */
  role?: Role;
  sessionId?: string;
}

declare module '../platform/events/event-bus' {
  interface DomainEvents {
    'auth.access_changed': AccessChangedEvent;
    /** A username is locked after too many failed sign-ins (again at each attempt while locked). */
    'auth.login_locked': { username: string; ip: string; lockedUntil: string; failures: number };
  }
}
