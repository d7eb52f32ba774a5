import { loadConfig } from '../../src/platform/config/load-config';
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
