/** The real application on a throw-away PGlite data folder, for benchmarks. */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/bootstrap';
import { benchConfig } from './bench-config';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-'));
  const config = benchConfig(dataDir);
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
