import type { Alert } from './alert.entity';
import type { AlertRule } from './alert-rule.entity';
import type { AlertSilence } from './alert-silence.entity';
import type { AlertDto } from './dto/alert.dto';
import type { AlertRuleDto } from './dto/alert-rule.dto';
import type { SilenceDto } from './dto/alert-silence.dto';

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
    silencedBy: alert.silencedBy,
  };
}

export function toAlertRuleDto(rule: AlertRule, metric: { measures: string; unit: string }): AlertRuleDto {
  return {
    type: rule.type,
    measures: metric.measures,
    unit: metric.unit,
    enabled: rule.enabled,
    threshold: rule.threshold,
    forSeconds: rule.forSeconds,
    severity: rule.severity,
    updatedAt: rule.updatedAt.toISOString(),
    updatedBy: rule.updatedBy,
  };
}

export function toSilenceDto(silence: AlertSilence, active: boolean): SilenceDto {
  return {
    id: silence.id,
    matchers: silence.matchers,
    startsAt: silence.startsAt.toISOString(),
    until: silence.endsAt.toISOString(),
    comment: silence.comment,
    createdBy: silence.createdBy,
    status: active ? 'active' : 'expired',
    expiredAt: silence.expiredAt ? silence.expiredAt.toISOString() : null,
    expiredBy: silence.expiredBy,
  };
}
