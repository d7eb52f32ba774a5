import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Not, Repository, SelectQueryBuilder } from 'typeorm';
import '../engine/engine.events';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { MetricsService } from '../platform/metrics/metrics.service';
import { Outbox } from '../platform/outbox/outbox';
import { Clock } from '../platform/time/clock';
import { AlertSilencesService } from './alert-silences.service';
import { AlertEvent, AlertEventKind } from './alert-event.entity';
import { Alert, AlertSeverity } from './alert.entity';

/** Repeats of an alert kept in its history (a rule repeats every 15 s while firing). */
const REPEATS_KEPT = 20;
import { toAlertDto } from './alert-view';
import './alerts.events';
import type { AlertQueryDto } from './dto/alert.dto';

export interface RaisedAlert {
  type: string;
  severity: AlertSeverity;
  source: string;
  message: string;
  data?: Record<string, unknown>;
  labels?: Record<string, string>;
}

/**
 * Alerts, stored: raised by the engine (its `alert.raised` events) and the other modules, one open row
 * per fingerprint (type and source) whose count a repeat raises; acknowledged and resolved by people
 * (or by the system when a condition clears). Each change is announced as `alerts.changed`.
 */
@Injectable()
export class AlertsService implements OnModuleInit {
  private readonly logger = new Logger('Alerts');

  constructor(
    @InjectRepository(Alert) private readonly alerts: Repository<Alert>,
    private readonly silences: AlertSilencesService,
    private readonly outbox: Outbox,
    private readonly events: EventBus,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.metrics.scraped(
      'system',
      {
        name: 'tradeplane_alerts_active',
        help: 'Alerts not resolved, by severity and status (firing, acknowledged)',
        labelNames: ['severity', 'status'],
      },
      async () =>
        (
          await this.alerts.query<Array<{ severity: string; status: string; n: string }>>(
            "SELECT severity, status, count(*) AS n FROM alerts WHERE status <> 'resolved' GROUP BY 1, 2",
          )
        ).map((row) => [{ severity: row.severity, status: row.status }, Number(row.n)]),
    );
    this.events.on('alert.raised', (event) => {
      this.raise({
        type: event.code,
        severity: event.level,
        source: event.botId ? `bot:${event.botId}` : event.source,
        message: event.message,
        data: event.botId ? { botId: event.botId } : {},
      }).catch((error: unknown) =>
        this.logger.warn(`alert ${event.code} not stored: ${errorMessage(error)}`),
      );
    });
  }

  /**
   * Stores an alert, or raises the count of the open one with its fingerprint; a new one goes to the
   * outbox (`alert.raised`) in the same transaction unless a silence covers it.
   */
  async raise(input: RaisedAlert): Promise<Alert> {
    const now = this.clock.now();
    const fingerprint = `${input.type}|${input.source}`.slice(0, 300);
    const { alert, inserted } = await this.alerts.manager.transaction(async (manager) => {
      const silencedBy = await this.silences.covering(manager, input);
      const rows = await manager.query<Array<{ id: string; inserted: boolean }>>(
        `INSERT INTO alerts (id, type, severity, source, message, data, labels, fingerprint, status, count, first_seen_at, last_seen_at, silenced_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'firing', 1, $9, $9, $10)
         ON CONFLICT (fingerprint) WHERE status <> 'resolved'
         DO UPDATE SET count = alerts.count + 1, last_seen_at = EXCLUDED.last_seen_at, message = EXCLUDED.message,
           severity = EXCLUDED.severity, data = EXCLUDED.data, labels = EXCLUDED.labels, silenced_by = EXCLUDED.silenced_by
         RETURNING id, (xmax = 0) AS inserted`,
        [
          randomUUID(),
          input.type.slice(0, 64),
          input.severity,
          input.source.slice(0, 200),
          input.message.slice(0, 1000),
          JSON.stringify(input.data ?? {}),
          JSON.stringify(input.labels ?? {}),
          fingerprint,
          now,
          silencedBy,
        ],
      );
      const stored = (await manager.findOneBy(Alert, { id: rows[0].id }))!;
      // Told once, when first raised outside a silence (a repeat after its silence ended counts).
      if (stored.silencedBy === null && !stored.notified) {
        await manager.update(Alert, { id: stored.id }, { notified: true });
        stored.notified = true;
        await this.outbox.add(manager, 'alert.raised', toAlertDto(stored));
      }
      await this.record(manager, stored.id, rows[0].inserted ? 'raised' : 'repeated', null, input.message);
      return { alert: stored, inserted: rows[0].inserted };
    });
    this.events.publish('alerts.changed', {
      event: inserted ? 'ALERT_RAISED' : 'ALERT_UPDATED',
      alert: toAlertDto(alert),
    });
    return alert;
  }

  /** An alert's changes, oldest first. */
  history(id: string): Promise<AlertEvent[]> {
    return this.alerts.manager.find(AlertEvent, { where: { alertId: id }, order: { at: 'ASC', id: 'ASC' } });
  }

  /** Writes a change to the alert's history; of its repeats only the newest REPEATS_KEPT stay. */
  private async record(
    manager: EntityManager,
    alertId: string,
    event: AlertEventKind,
    by: string | null,
    text: string | null,
  ): Promise<void> {
    await manager.insert(AlertEvent, {
      alertId,
      event,
      at: this.clock.now(),
      by,
      text: text?.slice(0, 1000) ?? null,
    });
    if (event === 'repeated')
      await manager.query(
        `DELETE FROM alert_events WHERE alert_id = $1 AND event = 'repeated' AND id NOT IN (
           SELECT id FROM alert_events WHERE alert_id = $1 AND event = 'repeated' ORDER BY id DESC LIMIT ${REPEATS_KEPT})`,
        [alertId],
      );
  }

  async get(id: string): Promise<Alert> {
    const alert = await this.alerts.findOneBy({ id });
    if (!alert) throw ApiError.notFound(`No alert ${id}`);
    return alert;
  }

  async list(
    query: AlertQueryDto,
  ): Promise<{ items: Alert[]; total: number; totalAlerts: number; activeAlerts: number }> {
    const filtered = () => {
      const builder = this.alerts.createQueryBuilder('alert');
      if (query.severity) builder.andWhere('alert.severity = :severity', { severity: query.severity });
      if (query.type) builder.andWhere('alert.type = :type', { type: query.type });
      if (query.source) builder.andWhere('alert.source = :source', { source: query.source });
      if (query.since) builder.andWhere('alert.lastSeenAt >= :since', { since: new Date(query.since) });
      return builder;
    };
    const active = (builder: SelectQueryBuilder<Alert>) => builder.andWhere("alert.status <> 'resolved'");
    const listed = query.activeOnly ? active(filtered()) : filtered();
    const [[items, total], totalAlerts, activeAlerts] = await Promise.all([
      listed
        .orderBy('alert.lastSeenAt', 'DESC')
        .addOrderBy('alert.id', 'ASC')
        .take(query.limit)
        .skip(query.offset)
        .getManyAndCount(),
      filtered().getCount(),
      active(filtered()).getCount(),
    ]);
    return { items, total, totalAlerts, activeAlerts };
  }

  /** Resolves the open alert of a condition, if there is one (a rule whose value fell back). */
  async resolveOpen(type: string, source: string, by: string, note: string): Promise<Alert | null> {
    const open = await this.alerts.findOne({
      where: { fingerprint: `${type}|${source}`, status: Not('resolved') },
    });
    if (!open) return null;
    try {
      return await this.change(open, 'ALERT_RESOLVED', {
        status: 'resolved',
        resolvedBy: by,
        resolvedAt: this.clock.now(),
        note,
      });
    } catch (error) {
      // Acknowledged or resolved by a person meanwhile: the next evaluation sees it as it is now.
      if (error instanceof ApiError && error.getStatus() === 409) return null;
      throw error;
    }
  }

  /** A person has seen it: firing becomes acknowledged (it still counts as active). */
  async acknowledge(id: string, by: string, note?: string): Promise<Alert> {
    const alert = await this.get(id);
    if (alert.status !== 'firing')
      throw ApiError.conflict(`Alert ${id} is ${alert.status}: only a firing alert is acknowledged`);
    return this.change(alert, 'ALERT_UPDATED', {
      status: 'acknowledged',
      acknowledgedBy: by,
      acknowledgedAt: this.clock.now(),
      note: note ?? alert.note,
    });
  }

  /** Closes it; a later repeat opens a new one. */
  async resolve(id: string, by: string, note?: string): Promise<Alert> {
    const alert = await this.get(id);
    if (alert.status === 'resolved') throw ApiError.conflict(`Alert ${id} is already resolved`);
    return this.change(alert, 'ALERT_RESOLVED', {
      status: 'resolved',
      resolvedBy: by,
      resolvedAt: this.clock.now(),
      note: note ?? alert.note,
    });
  }

  private async change(
    alert: Alert,
    event: 'ALERT_UPDATED' | 'ALERT_RESOLVED',
    changes: Pick<
      Partial<Alert>,
      'status' | 'acknowledgedBy' | 'acknowledgedAt' | 'resolvedBy' | 'resolvedAt' | 'note'
    >,
  ): Promise<Alert> {
    const changed = await this.alerts.manager.transaction(async (manager) => {
      // Only from the status read: a concurrent change in between is a conflict, not overwritten.
      const updated = await manager.update(Alert, { id: alert.id, status: alert.status }, changes);
      if (!updated.affected) throw ApiError.conflict(`Alert ${alert.id} changed meanwhile: read it again`);
      const stored = (await manager.findOneBy(Alert, { id: alert.id }))!;
      await this.record(
        manager,
        stored.id,
        event === 'ALERT_RESOLVED' ? 'resolved' : 'acknowledged',
        (event === 'ALERT_RESOLVED' ? changes.resolvedBy : changes.acknowledgedBy) ?? null,
        changes.note ?? null,
      );
      // Its resolution goes where its raise went, silenced since or not.
      if (event === 'ALERT_RESOLVED' && stored.notified)
        await this.outbox.add(manager, 'alert.resolved', toAlertDto(stored));
      return stored;
    });
    this.events.publish('alerts.changed', { event, alert: toAlertDto(changed) });
    return changed;
  }
}
