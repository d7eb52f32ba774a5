import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import '../auth/auth.events';
import { ApiKeysService } from '../auth/api-keys.service';
import '../exchange/exchange.events';
import { DatabaseHealth } from '../platform/database/database-health';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { Clock } from '../platform/time/clock';
import '../trading/trading.events';
import { SYSTEM_SOURCE } from './alert-rules.service';
import { AlertsService, RaisedAlert } from './alerts.service';

const DATABASE_CHECK_MS = 5000;
const KEY_CHECK_MS = 60 * 60 * 1000;
/** An API key this close to its expiry is announced. */
const KEY_WARNING_MS = 7 * 24 * 60 * 60 * 1000;
/** The instance that checks the keys' expiry (one does). */
const KEY_CHECK_LEASE = 'alert-api-keys';

/**
 * Alerts on conditions outside the engine: the database unreachable, an exchange account's API
 * unreachable or refusing its credentials, orders reconciliation had to mend or could not settle,
 * a username locked by failed sign-ins, API keys about to expire. Conditions that clear by
 * themselves resolve their alert (resolvedBy `system`).
 */
@Injectable()
export class AlertSources implements OnModuleInit {
  private readonly logger = new Logger('AlertSources');
  private databaseDownSince: number | null = null;
  private databaseError: string | null = null;
  private checkingDatabase: Promise<void> | null = null;

  constructor(
    private readonly alerts: AlertsService,
    private readonly keys: ApiKeysService,
    private readonly database: DatabaseHealth,
    private readonly leases: AdvisoryLeases,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.events.on('exchange.reachability', ({ accountId, exchangeId, state, error }) => {
      const source = `exchange:${accountId}`;
      if (state === 'reachable') {
        this.resolve('EXCHANGE_UNREACHABLE', source, `${exchangeId} answers again`);
        this.resolve('EXCHANGE_AUTH_FAILED', source, `${exchangeId} accepts the credentials again`);
        return;
      }
      const unreachable = state === 'unreachable';
      this.raise({
        type: unreachable ? 'EXCHANGE_UNREACHABLE' : 'EXCHANGE_AUTH_FAILED',
        severity: unreachable ? 'warning' : 'critical',
        source,
        message: unreachable
          ? `${exchangeId} does not answer the account's requests (${error})`
          : `${exchangeId} refuses the account's credentials (${error})`,
        data: { accountId, exchangeId, error },
      });
    });
    this.events.on('orders.reconciled', (report) => {
      const mended = report.changed + report.adopted;
      if (mended > 0)
        this.raise({
          type: 'RECONCILIATION_MISMATCH',
          severity: report.trigger === 'startup' ? 'info' : 'warning',
          source: 'reconciler',
          message: `${report.trigger} reconciliation found ${report.changed} orders changed on their exchange and adopted ${report.adopted} it had no row for`,
          data: { ...report },
        });
      if (report.stillUnknown > 0)
        this.raise({
          type: 'ORDER_STUCK',
          severity: 'warning',
          source: 'reconciler',
          message: `${report.stillUnknown} orders are still unknown after ${report.trigger} reconciliation: their exchange did not say what became of them`,
          data: { ...report },
        });
      else this.resolve('ORDER_STUCK', 'reconciler', 'every order reconciled');
    });
    this.events.on('auth.login_locked', ({ username, ip, lockedUntil, failures }) =>
      this.raise({
        type: 'LOGIN_FAILURES',
        severity: 'warning',
        // One open alert for every locked name: made-up names cannot flood the alerts and webhooks.
        source: 'auth',
        message: `${failures} failed sign-ins for ${username} (last from ${ip}): locked until ${lockedUntil}`,
        data: { username, ip, lockedUntil },
      }),
    );
  }

  /** Every 5 s: once the database answers again after it did not, the outage is stored, resolved. */
  @Interval('alert-database-check', DATABASE_CHECK_MS)
  checkDatabase(): Promise<void> {
    this.checkingDatabase ??= this.pingDatabase().finally(() => (this.checkingDatabase = null));
    return this.checkingDatabase;
  }

  /** Hourly, in one instance: a key in use that expires within 7 days is announced until it is replaced. */
  @Interval('alert-api-key-check', KEY_CHECK_MS)
  async checkApiKeys(): Promise<void> {
    try {
      if (!(await this.leases.acquire(KEY_CHECK_LEASE))) return;
      const now = this.clock.nowMs();
      for (const key of await this.keys.expiringBefore(new Date(now + KEY_WARNING_MS))) {
        const days = Math.max(0, (key.expiresAt!.getTime() - now) / 86_400_000);
        await this.alerts.raise({
          type: 'API_KEY_EXPIRING',
          severity: days < 1 ? 'critical' : 'warning',
          source: `apiKey:${key.id}`,
          message: `API key ${key.name} expires on ${key.expiresAt!.toISOString()} (in ${days.toFixed(1)} days): rotate it or create a new one`,
          data: { keyId: key.id, name: key.name, expiresAt: key.expiresAt!.toISOString() },
        });
      }
    } catch (error) {
      this.logger.warn(`API key expiry not checked: ${errorMessage(error)}`);
    }
  }

  private async pingDatabase(): Promise<void> {
    const ping = await this.database.ping();
    const now = this.clock.nowMs();
    if (!ping.up) {
      this.databaseDownSince ??= now;
      this.databaseError = ping.error ?? null;
      return;
    }
    if (this.databaseDownSince === null) return;
    const since = this.databaseDownSince;
    this.databaseDownSince = null;
    const seconds = Math.round((now - since) / 1000);
    try {
      // Stored once it can be: the alert tells of the outage, and its end resolves it.
      await this.alerts.raise({
        type: 'DATABASE_DOWN',
        severity: 'critical',
        source: SYSTEM_SOURCE,
        message: `the database did not answer from ${new Date(since).toISOString()} for ${seconds} s (${this.databaseError})`,
        data: { downSince: new Date(since).toISOString(), downSeconds: seconds, error: this.databaseError },
      });
      await this.alerts.resolveOpen(
        'DATABASE_DOWN',
        SYSTEM_SOURCE,
        'system',
        `answering again after ${seconds} s`,
      );
    } catch (error) {
      this.databaseDownSince = since;
      this.logger.warn(`database outage not stored yet: ${errorMessage(error)}`);
    }
  }

  private raise(alert: RaisedAlert): void {
    this.alerts
      .raise(alert)
      .catch((error: unknown) => this.logger.warn(`alert ${alert.type} not stored: ${errorMessage(error)}`));
  }

  private resolve(type: string, source: string, note: string): void {
    this.alerts
      .resolveOpen(type, source, 'system', note)
      .catch((error: unknown) => this.logger.warn(`alert ${type} not resolved: ${errorMessage(error)}`));
  }
}
