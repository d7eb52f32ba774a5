import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';

/**
 * Work that one instance does at a time (a bot, the periodic reconciliation, the stop-loss guard).
 * On PostgreSQL a lease is a session advisory lock held on a connection of its own, so with several
 * instances on one database exactly one holds it, and a crashed instance lets go when its connections
 * drop. PGlite belongs to one process, so there every lease is granted.
 */
@Injectable()
export class AdvisoryLeases implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Leases');
  private readonly held = new Map<string, QueryRunner | null>();
  private closing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  holds(key: string): boolean {
    return this.held.has(key);
  }

  /** Takes the lease if it is free; true when this instance holds it (already or now). */
  async acquire(key: string): Promise<boolean> {
    if (this.held.has(key)) return true;
    if (this.closing) return false;
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
      return true;
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    if (!this.held.has(key)) return;
    const runner = this.held.get(key);
    this.held.delete(key);
    if (!runner) return;
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
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const key of [...this.held.keys()]) await this.release(key);
  }
}

function lockName(key: string): string {
  return `tradeplane:${key}`;
}
