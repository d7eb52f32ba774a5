import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

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
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
