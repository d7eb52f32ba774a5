/** The real application on a throw-away PGlite data folder, for benchmarks. */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/platform/config/load-config';
import { BENCH_ADMIN } from './principals';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-'));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    JWT_SECRET: 'b'.repeat(48),
    MASTER_KEY: 'c'.repeat(64),
    ADMIN_USERNAME: BENCH_ADMIN.username,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    // The benchmark measures request handling, not refusals.
    RATE_LIMIT_READ_ONLY: '1000000000',
    RATE_LIMIT_ADMIN: '1000000000',
    RATE_LIMIT_ANONYMOUS: '1000000000',
  });
  const app = await createApp(config, { logger: pino({ level: 'warn' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address && typeof address === 'object') console.log(`LISTENING http://127.0.0.1:${address.port}`);
  process.on('SIGTERM', () => {
    void app.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
