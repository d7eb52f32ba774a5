import type { AlertDto } from './dto/alert.dto';

/** What the alerts module announces (ALERT_RAISED, ALERT_UPDATED, ALERT_RESOLVED on `alerts`). */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    'alerts.changed': { event: 'ALERT_RAISED' | 'ALERT_UPDATED' | 'ALERT_RESOLVED'; alert: AlertDto };
  }
}
