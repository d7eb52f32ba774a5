import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { errorMessage } from '../errors/error-message';

/** How long connecting the lease connection may take before an attempt gives up. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Work that one instance does at a time (a bot, the periodic reconciliation, the stop-loss guard).
 * On PostgreSQL a lease is a session advisory lock, so with several instances on one database exactly
 * one holds it, and a crashed instance lets go when its connection drops. All of an instance's locks
 * live on one connection of their own, outside the pool: however many bots run, leases take one
 * connection, and the pool stays for the API. PGlite belongs to one process, so there every lease is
 * granted.
 *
 * A lease lasts as long as that connection: when it breaks (the server restarted, the network dropped
 * it) the server has let every lock go, so every lease is lost here too and `holds` says so; owners take
 * them again with `acquire`, which opens a new connection once the database answers.
 */
@Injectable()
export class AdvisoryLeases implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Leases');
  /** The keys held, each with the connection it was taken on. */
  private readonly held = new Map<string, Client | null>();
  private readonly acquiring = new Map<string, Promise<boolean>>();
  private connection: Promise<Client> | undefined;
  /** The connection that is up, once connected; undefined after it broke. */
  private live: Client | undefined;
  private closing = false;

  constructor(private readonly config: AppConfig) {}

  holds(key: string): boolean {
    if (!this.held.has(key)) return false;
    const client = this.held.get(key);
    if (client !== null && client !== this.live) {
      this.held.delete(key);
      this.logger.warn(`${key}: lease lost with its database connection`);
      return false;
    }
    return true;
  }

  /** How many leases this instance holds. */
  count(): number {
    return [...this.held.keys()].filter((key) => this.holds(key)).length;
  }

  /** Takes the lease if it is free; true when this instance holds it (already or now). */
  acquire(key: string): Promise<boolean> {
    if (this.holds(key)) return Promise.resolve(true);
    if (this.closing) return Promise.resolve(false);
    let attempt = this.acquiring.get(key);
    if (!attempt) {
      attempt = this.take(key).finally(() => this.acquiring.delete(key));
      this.acquiring.set(key, attempt);
    }
    return attempt;
  }

  async release(key: string): Promise<void> {
    if (!this.held.has(key)) return;
    const client = this.held.get(key);
    this.held.delete(key);
    if (!client || client !== this.live) return;
    try {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName(key)]);
    } catch (error) {
      this.logger.warn(
        `${key}: lock not released cleanly (${errorMessage(error)}); its connection closes it`,
      );
    }
  }

  /**
   * At application shutdown: attempts under way are awaited, every lock is let go (free for another
   * instance at once, not when the server notices the disconnect), then the connection closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.acquiring.values()]);
    for (const key of [...this.held.keys()]) await this.release(key);
    const client = this.live;
    this.live = undefined;
    this.connection = undefined;
    await client?.end().catch(() => undefined);
  }

  private async take(key: string): Promise<boolean> {
    if (this.config.databaseDriver === 'pglite') {
      this.held.set(key, null);
      return true;
    }
    const client = await this.connect();
    const [row] = (
      await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [lockName(key)],
      )
    ).rows;
    if (!row.locked) return false;
    this.held.set(key, client);
    if (this.closing) {
      // Shutdown began while the lock was being taken: let it go before the connection closes.
      await this.release(key);
      return false;
    }
    return true;
  }

  /** The lease connection, opened on first use and again after it broke. */
  private connect(): Promise<Client> {
    this.connection ??= this.open().catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  private async open(): Promise<Client> {
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'tradeplane-leases',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    const broken = (reason: string) => {
      if (this.live !== client) return;
      this.live = undefined;
      this.connection = undefined;
      if (!this.closing)
        this.logger.warn(`lease connection lost (${reason}): every lease must be taken again`);
    };
    client.on('error', (error) => broken(errorMessage(error)));
    client.on('end', () => broken('closed'));
    await client.connect();
    this.live = client;
    return client;
  }
}

function lockName(key: string): string {
  return `tradeplane:${key}`;
}
