import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import '../monitoring/monitoring.events';
import type { ResourceReading } from '../monitoring/resource-monitor';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Clock } from '../platform/time/clock';
import { AlertRule } from './alert-rule.entity';
import { ALERT_SEVERITIES, AlertSeverity } from './alert.entity';
import { AlertsService } from './alerts.service';

interface RuleMetric {
  reading: keyof ResourceReading;
  measures: string;
  label: string;
  unit: string;
  max: number;
  threshold: number;
  forSeconds: number;
}

/** What each rule measures, its unit, the range of its threshold, and its default. */
const METRICS = {
  HIGH_CPU: {
    reading: 'cpuPercent',
    measures: "this process's CPU use, percent of all cores",
    label: 'CPU',
    unit: '%',
    max: 100,
    threshold: 90,
    forSeconds: 60,
  },
  HIGH_MEMORY: {
    reading: 'memoryPercent',
    measures: 'memory in use, percent of the machine',
    label: 'memory',
    unit: '%',
    max: 100,
    threshold: 90,
    forSeconds: 60,
  },
  EVENT_LOOP_LAG: {
    reading: 'eventLoopLagMs',
    measures: 'mean event-loop delay over the sample, milliseconds',
    label: 'event-loop lag',
    unit: ' ms',
    max: 60_000,
    threshold: 500,
    forSeconds: 60,
  },
  HIGH_DISK: {
    reading: 'diskUsedPercent',
    measures: "disk use of the data folder's file system, percent",
    label: 'disk use',
    unit: '%',
    max: 100,
    threshold: 90,
    forSeconds: 300,
  },
} as const satisfies Record<string, RuleMetric>;
export type RuleType = keyof typeof METRICS;
export const RULE_TYPES = Object.keys(METRICS) as RuleType[];
/** The instance that evaluates the rules (one does; another takes over when it goes). */
const EVALUATOR_LEASE = 'alert-rules';
/** Where the system's own alerts come from. */
export const SYSTEM_SOURCE = 'system';

export interface RuleChange {
  type: string;
  enabled?: boolean;
  threshold?: number;
  forSeconds?: number;
  severity?: string;
}

/**
 * The alert rules on this system's measures (CPU, memory, event-loop lag, disk), evaluated on every
 * resource sample (each 15 s) by the instance holding the evaluator's lease: pending while a value is
 * above its threshold for less than forSeconds, then firing (raised again on each evaluation, which
 * counts), resolved by the system once the value is back under it.
 */
@Injectable()
export class AlertRulesService implements OnModuleInit {
  private readonly logger = new Logger('AlertRules');
  /** Since when each rule's value has been above its threshold (pending or firing). */
  private readonly breachedSince = new Map<RuleType, number>();
  /** Evaluations run one after another (a sample's event and a direct call may come together). */
  private evaluations: Promise<void> = Promise.resolve();

  constructor(
    @InjectRepository(AlertRule) private readonly rules: Repository<AlertRule>,
    private readonly alerts: AlertsService,
    private readonly leases: AdvisoryLeases,
    private readonly events: EventBus,
    private readonly settings: RuntimeSettings,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.rules
      .createQueryBuilder()
      .insert()
      .values(
        RULE_TYPES.map((type) => ({
          type,
          enabled: true,
          threshold: METRICS[type].threshold,
          forSeconds: METRICS[type].forSeconds,
          severity: 'warning',
          updatedAt: this.clock.now(),
          updatedBy: 'system',
        })),
      )
      .orIgnore()
      .execute();
    this.events.on('system.sampled', (reading) => {
      this.evaluate(reading).catch((error: unknown) =>
        this.logger.warn(`alert rules not evaluated: ${errorMessage(error)}`),
      );
    });
  }

  list(): Promise<AlertRule[]> {
    return this.rules.find({ order: { type: 'ASC' } });
  }

  /** What a rule measures and in which unit. */
  metricOf(type: string): { measures: string; unit: string } {
    const metric = (METRICS as Record<string, RuleMetric>)[type];
    return { measures: metric?.measures ?? type, unit: metric?.unit.trim() ?? '' };
  }

  /** Changes some rules; each bad field is named and nothing changes. */
  async update(changes: RuleChange[], by: string): Promise<AlertRule[]> {
    const problems: string[] = [];
    changes.forEach((change, index) => {
      const at = `rules.${index}`;
      const metric = (METRICS as Record<string, RuleMetric>)[change.type];
      if (!metric) {
        problems.push(`${at}.type: ${change.type} is not a rule (one of ${RULE_TYPES.join(', ')})`);
        return;
      }
      if (change.threshold !== undefined && !(change.threshold >= 0 && change.threshold <= metric.max))
        problems.push(`${at}.threshold: must be between 0 and ${metric.max} for ${change.type}`);
      if (change.severity !== undefined && !(ALERT_SEVERITIES as readonly string[]).includes(change.severity))
        problems.push(`${at}.severity: must be one of ${ALERT_SEVERITIES.join(', ')}`);
    });
    if (new Set(changes.map((change) => change.type)).size !== changes.length)
      problems.push('rules: each type at most once');
    if (problems.length > 0) throw ApiError.validation(problems.join('; '), { fields: problems });
    await this.rules.manager.transaction(async (manager) => {
      for (const { type, ...fields } of changes)
        await manager.update(
          AlertRule,
          { type },
          {
            ...fields,
            severity: fields.severity as AlertSeverity | undefined,
            updatedAt: this.clock.now(),
            updatedBy: by,
          },
        );
    });
    return this.list();
  }

  /** One evaluation of every enabled rule on a reading (in the evaluator's instance only). */
  evaluate(reading: ResourceReading): Promise<void> {
    const next = this.evaluations.then(() => this.evaluateNow(reading));
    this.evaluations = next.catch(() => undefined);
    return next;
  }

  private async evaluateNow(reading: ResourceReading): Promise<void> {
    if (!(await this.leases.acquire(EVALUATOR_LEASE))) {
      // Another instance evaluates: what was pending here starts again if the lease comes back.
      this.breachedSince.clear();
      return;
    }
    const now = this.clock.nowMs();
    const rulesEnabled = this.settings.section('alerts').rulesEnabled;
    for (const rule of await this.list()) {
      const type = rule.type as RuleType;
      const metric = METRICS[type];
      if (!metric) continue;
      const value = reading[metric.reading];
      const enabled = rulesEnabled && rule.enabled;
      if (!enabled || value === null || value <= rule.threshold) {
        this.breachedSince.delete(type);
        await this.alerts.resolveOpen(
          type,
          SYSTEM_SOURCE,
          'system',
          enabled
            ? `${metric.label} back to ${round(value)}${metric.unit}, at most ${rule.threshold}${metric.unit}`
            : 'rule disabled',
        );
        continue;
      }
      const since = this.breachedSince.get(type) ?? now;
      this.breachedSince.set(type, since);
      if (now - since < rule.forSeconds * 1000) continue;
      await this.alerts.raise({
        type,
        severity: rule.severity,
        source: SYSTEM_SOURCE,
        message: `${metric.label} ${round(value)}${metric.unit} above ${rule.threshold}${metric.unit} for ${Math.round((now - since) / 1000)} s`,
        data: { value, threshold: rule.threshold, forSeconds: rule.forSeconds },
      });
    }
  }
}

function round(value: number | null): string {
  return value === null ? 'unknown' : String(Math.round(value * 10) / 10);
}
