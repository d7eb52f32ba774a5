import type { ResourceReading } from './resource-monitor';

/** What monitoring announces. */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    /** A resource sample was taken (every 15 s): `metrics` and `system_status` on the WebSocket. */
    'system.sampled': ResourceReading & { sampledAt: string };
  }
}
