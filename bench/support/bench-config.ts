import { loadConfig } from '../../src/platform/config/load-config';
import { createDatabase, dropDatabase, withDatabase } from '../../src/platform/database/postgres-admin';
import { AppConfig } from '../../src/platform/config/app-config';
import { BENCH_ADMIN } from './principals';

/**
 * The configuration of the real application in a benchmark: production settings on a throw-away data
 * folder, fixed secrets, the bench admin, no market history, and rate limits out of the way (the
 * benchmarks measure handling, not refusals). `extra` adds or overrides settings.
 */
export function benchConfig(dataDir: string, extra: Record<string, string> = {}): AppConfig {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    JWT_SECRET: 'b'.repeat(48),
    MASTER_KEY: 'c'.repeat(64),
    ADMIN_USERNAME: BENCH_ADMIN.username,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    MARKET_BACKFILL_DAYS: '0',
    RATE_LIMIT_READ_ONLY: '1000000000',
    RATE_LIMIT_CONTROL: '1000000000',
    RATE_LIMIT_ADMIN: '1000000000',
    RATE_LIMIT_ANONYMOUS: '1000000000',
    ...extra,
  });
}

/**
 * Runs `measure` on a throw-away database of the PostgreSQL server at BENCH_DATABASE_URL (default: the
 * local one), dropped afterwards; without a server, says that `what` was not measured.
 */
export async function onThrowAwayPostgres(
  what: string,
  measure: (databaseUrl: string) => Promise<void>,
): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `tradeplane_bench_${process.pid}`;
  try {
    await createDatabase(serverUrl, database);
  } catch (error) {
    console.log(
      `${what}: not measured (no server at ${serverUrl}: ${(error as Error).message}; set BENCH_DATABASE_URL)`,
    );
    return;
  }
  try {
    await measure(withDatabase(serverUrl, database));
  } finally {
    await dropDatabase(serverUrl, database);
  }
}
