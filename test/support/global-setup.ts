import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { createPostgresTemplate, migrate, TEMPLATE_ENV, testDataRoot } from './test-database';

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
  removeStaleTestData();
  const root = mkdtempSync(path.join(testDataRoot(), 'tradeplane-template-'));
  const dir = path.join(root, 'pglite');
  // Every test app and server process starts on a copy of this folder, so it is made small and quick
  // to open: 16 MB of shared buffers instead of PGlite's 128 MB (0.8 s of every start; measured 0.2 s
  // with 16 MB) and 1 MB WAL segments instead of 16 MB (copied for every test database). A test's
  // database holds a few MB; postgresql.conf and the control file keep both settings.
  const initialised = await PGlite.create(dir, {
    initDbStartParams: ['--wal-segsize=1', '-c', 'shared_buffers=16MB'],
  });
  await initialised.close();
  await migrate({ pgliteDir: dir });
  process.env[TEMPLATE_ENV.pgliteDir] = dir;
}

/**
 * Test databases a run could not remove (a killed worker) live in memory when under /dev/shm: those
 * older than a day go, so they cannot pile up across runs. A run under way is never that old.
 */
function removeStaleTestData(): void {
  const root = testDataRoot();
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(root)) {
    if (!name.startsWith('tradeplane-test-') && !name.startsWith('tradeplane-template-')) continue;
    const dir = path.join(root, name);
    try {
      if (statSync(dir).mtimeMs < dayAgo) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}
