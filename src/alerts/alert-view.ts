import type { Alert } from './alert.entity';
import type { AlertDto } from './dto/alert.dto';

export function toAlertDto(alert: Alert): AlertDto {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: alert.id,
    type: alert.type,
    severity: alert.severity,
    source: alert.source,
    message: alert.message,
    data: alert.data,
    labels: alert.labels,
    fingerprint: alert.fingerprint,
    status: alert.status,
    count: alert.count,
    firstSeenAt: alert.firstSeenAt.toISOString(),
    lastSeenAt: alert.lastSeenAt.toISOString(),
    acknowledgedBy: alert.acknowledgedBy,
    acknowledgedAt: iso(alert.acknowledgedAt),
    resolvedBy: alert.resolvedBy,
    resolvedAt: iso(alert.resolvedAt),
    note: alert.note,
  };
}
