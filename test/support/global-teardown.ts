import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { dropDatabase } from '../../src/platform/database/postgres-admin';
import { TEMPLATE_ENV } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV.postgresDb];
  if (process.env.DATABASE_URL && template) await dropDatabase(process.env.DATABASE_URL, template);
  const dir = process.env[TEMPLATE_ENV.pgliteDir];
  if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
}
