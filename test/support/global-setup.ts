import { Logger } from '@nestjs/common';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPostgresTemplate, migrate, TEMPLATE_ENV } from './test-database';

/**
 * Migrates one database once per run; each test then starts from a copy of it, which is far faster
 * than running initdb and every migration per test file.
 */
export default async function globalSetup(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  process.env.TP_TEST_RUN_ID = runId;
  if (process.env.DATABASE_URL) {
    process.env[TEMPLATE_ENV.postgresDb] = await createPostgresTemplate(process.env.DATABASE_URL, runId);
    return;
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-template-'));
  const dir = path.join(root, 'pglite');
  await migrate({ pgliteDir: dir });
  process.env[TEMPLATE_ENV.pgliteDir] = dir;
}
