import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createApp } from '../../src/bootstrap';
import { ExchangeConnectorOptions } from '../../src/exchange/exchange-connector.service';
import { Clock } from '../../src/platform/time/clock';
import type { ThreeCommasOptions } from '../../src/integrations/three-commas-client';
import { AppConfig } from '../../src/platform/config/app-config';
import { loadConfig } from '../../src/platform/config/load-config';
import { createRootLogger } from '../../src/platform/logging/logger';
import { createTestDatabase, TestDatabase } from './test-database';

/** The first SUPER_ADMIN of every test app. */
export const TEST_ADMIN = { username: 'root-admin', password: 'test-admin-password-1' };

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  database: TestDatabase;
  /** http://127.0.0.1:<port> of the listening server. */
  baseUrl: string;
  /** Every log line the app wrote, when started with captureLogs. */
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Keep every log line (at debug level) in `logs`, to assert what is and is not logged. */
  captureLogs?: boolean;
  /** How exchange accounts reach their exchanges: a fake exchange server's origin, short timeouts. */
  exchange?: ExchangeConnectorOptions;
  /** Start on this database (another app's, closed before) instead of a fresh one; close() keeps it. */
  database?: TestDatabase;
  /** A clock the test moves by hand (a ManualClock) instead of the system clock. */
  clock?: Clock;
  /** Where 3Commas is (a fake's origin) and the limits its client keeps. */
  threeCommas?: ThreeCommasOptions;
}

/**
 * The real application on a fresh copy of the migrated database, listening on a free loopback port,
 * so tests speak HTTP to it like any client.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: database.dataDir,
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    // No market history unless a test asks for it: the backfill would compete with the test's queries.
    MARKET_BACKFILL_DAYS: '0',
    // A cheap password hash (2^10 instead of 2^17): tests sign in hundreds of times.
    PASSWORD_HASH_COST: '10',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...env,
  });
  const logs: string[] = [];
  const logger = options.captureLogs
    ? createRootLogger(
        'debug',
        new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) }),
      )
    : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  const app = await createApp(config, {
    logger,
    exchange: options.exchange,
    clock: options.clock,
    threeCommas: options.threeCommas,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return {
    app,
    config,
    database,
    baseUrl: `http://127.0.0.1:${address.port}`,
    logs,
    close: async () => {
      lag.disable();
      if (process.env.TP_LAG_PROBE)
        process.stderr.write(
          `LAGPROBE max ${(lag.max / 1e6).toFixed(0)} ms p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms ${expect.getState().testPath}\n`,
        );
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}
