import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { errorMessage } from '../errors/error-message';

export interface DatabasePing {
  up: boolean;
  latencyMs: number;
  driver: 'postgres' | 'pglite';
  error?: string;
}

const PING_TIMEOUT_MS = 2000;

/** Answers "is the database there, and how fast" without ever throwing. */
@Injectable()
export class DatabaseHealth {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Connections to this database and the server's limit (PGlite is a single session). */
  async connectionStats(): Promise<{ connections: number; maxConnections: number }> {
    if (this.config.databaseDriver === 'pglite') return { connections: 1, maxConnections: 1 };
    const [row] = await this.dataSource.query<Array<{ connections: number; max_connections: number }>>(
      `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()) AS connections,
              current_setting('max_connections')::int AS max_connections`,
    );
    return { connections: row.connections, maxConnections: row.max_connections };
  }

  async ping(): Promise<DatabasePing> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      return { up: true, latencyMs: round(performance.now() - started), driver: this.config.databaseDriver };
    } catch (error) {
      return {
        up: false,
        latencyMs: round(performance.now() - started),
        driver: this.config.databaseDriver,
        error: errorMessage(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
