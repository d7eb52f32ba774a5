import { randomBytes } from 'node:crypto';
import { accessSync, constants, cpSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { installJobSchema } from '../../src/platform/jobs/pg-boss-job-queue';
import { buildDataSourceOptions } from '../../src/platform/database/data-source-options';
import {
  createDatabase,
  databaseNameOf,
  dropDatabase,
  withDatabase,
} from '../../src/platform/database/postgres-admin';

/** Where the global setup left the migrated template, read by every test file. */
export const TEMPLATE_ENV = {
  pgliteDir: 'TP_TEST_PGLITE_TEMPLATE',
  postgresDb: 'TP_TEST_PG_TEMPLATE',
};

export async function migrate(settings: { databaseUrl?: string; pgliteDir?: string }): Promise<void> {
  const dataSource = new DataSource(
    buildDataSourceOptions({
      databaseUrl: settings.databaseUrl,
      pgliteDir: settings.pgliteDir,
      runMigrations: false,
    }),
  );
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    // The job queue's own tables too, so no test app spends its start-up creating them.
    await installJobSchema(dataSource, settings.databaseUrl);
  } finally {
    await dataSource.destroy();
  }
}

export async function createPostgresTemplate(baseUrl: string, runId: string): Promise<string> {
  const template = `${databaseNameOf(baseUrl)}_tpl_${runId}`;
  await dropDatabase(baseUrl, template);
  await createDatabase(baseUrl, template);
  await migrate({ databaseUrl: withDatabase(baseUrl, template) });
  return template;
}

/** A fresh, migrated database for one test: a copy of the template, so no test sees another's rows. */
export interface TestDatabase {
  databaseUrl: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

let counter = 0;

/**
 * Where test databases live: a memory file system when the machine has one (Linux's /dev/shm), so a
 * copy of the template takes 60 ms instead of 500 ms on this machine's disk and PGlite's files are
 * written to memory; the system's temporary folder otherwise.
 */
export function testDataRoot(): string {
  try {
    accessSync(SHARED_MEMORY, constants.W_OK);
    // A container's /dev/shm is often 64 MB: too small for the databases of a run.
    const { bavail, bsize } = statfsSync(SHARED_MEMORY);
    if (bavail * bsize >= SHARED_MEMORY_NEEDED) return SHARED_MEMORY;
  } catch {
    // No memory file system here.
  }
  return os.tmpdir();
}
const SHARED_MEMORY = '/dev/shm';
const SHARED_MEMORY_NEEDED = 2 * 1024 ** 3;

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(testDataRoot(), 'tradeplane-test-'));
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const template = process.env[TEMPLATE_ENV.postgresDb];
    if (!template) throw new Error('global setup did not create the PostgreSQL template');
    // Unique even when a file left its database behind: the counter restarts in every test file.
    const database = `${template}_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
    await createDatabase(baseUrl, database, template);
    return {
      databaseUrl: withDatabase(baseUrl, database),
      dataDir,
      drop: async () => {
        await dropDatabase(baseUrl, database);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const template = process.env[TEMPLATE_ENV.pgliteDir];
  if (!template) throw new Error('global setup did not create the PGlite template');
  cpSync(template, path.join(dataDir, 'pglite'), { recursive: true });
  return {
    databaseUrl: undefined,
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
