import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';

/**
 * Work that one instance does at a time (a bot, the periodic reconciliation, the stop-loss guard).
 * On PostgreSQL a lease is a session advisory lock held on a connection of its own, so with several
 * instances on one database exactly one holds it, and a crashed instance lets go when its connections
 * drop. PGlite belongs to one process, so there every lease is granted.
 *
 * A lease lasts as long as its connection: when the connection breaks (the server restarted, the
 * network dropped it) the server has let the lock go, so the lease is lost here too, and `holds`
 * says so; its owner takes it again with `acquire` once the database answers.
 */
@Injectable()
export class AdvisoryLeases implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Leases');
  private readonly held = new Map<string, QueryRunner | null>();
  private readonly acquiring = new Map<string, Promise<boolean>>();
  private closing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  holds(key: string): boolean {
    const runner = this.held.get(key);
    if (runner === undefined) return false;
    if (runner?.isReleased) {
      // TypeORM releases a query runner whose connection raised an error: the lock went with it.
      this.held.delete(key);
      this.logger.warn(`${key}: lease lost with its database connection`);
      return false;
    }
    return true;
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

  private async take(key: string): Promise<boolean> {
    if (this.config.databaseDriver === 'pglite') {
      this.held.set(key, null);
      return true;
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [row] = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [
        lockName(key),
      ])) as Array<{ locked: boolean }>;
      if (!row.locked) {
        await runner.release();
        return false;
      }
      this.held.set(key, runner);
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      // Shutdown began while the lock was being taken: let it go before the pool closes.
      await this.release(key);
      return false;
    }
    return true;
  }

  async release(key: string): Promise<void> {
    if (!this.held.has(key)) return;
    const runner = this.held.get(key);
    this.held.delete(key);
    if (!runner || runner.isReleased) return;
    try {
      await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName(key)]);
    } catch (error) {
      this.logger.warn(`${key}: lock not released cleanly (${String(error)}); its connection closes it`);
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /**
   * Before the database connections close (TypeORM closes them at application shutdown): unlocked
   * here, a lease is free for another instance at once, not when the server notices the disconnect.
   * Attempts under way are awaited first: a connection they obtained after the pool began closing
   * would keep the pool, and the shutdown, waiting for ever.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.acquiring.values()]);
    for (const key of [...this.held.keys()]) await this.release(key);
  }
}

function lockName(key: string): string {
  return `tradeplane:${key}`;
}
