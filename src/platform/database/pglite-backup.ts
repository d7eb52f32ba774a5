import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** First line of a backup file. */
const MAGIC = 'tradeplane-backup v1';
const SECRETS_FILE = 'secrets.json';

interface BackupHeader {
  createdAt: string;
  /** The data folder's generated secrets (JWT secret, master key): sealed credentials need the key. */
  secrets: string | null;
  databaseBytes: number;
}

export interface BackupSummary {
  file: string;
  databaseBytes: number;
  withSecrets: boolean;
}

/**
 * Writes the embedded database of a data folder (PGlite's own dump of its data directory, gzipped
 * tar) and the folder's generated secrets to one file. The application must be stopped: PGlite is one
 * process's database.
 */
export async function backupDataFolder(
  dataDir: string,
  file: string,
  options: { withSecrets: boolean } = { withSecrets: true },
): Promise<BackupSummary> {
  const pgliteDir = path.join(dataDir, 'pglite');
  if (!existsSync(pgliteDir)) throw new Error(`${dataDir} holds no embedded database (no pglite folder)`);
  const db = await PGlite.create({ dataDir: pgliteDir });
  let dump: Blob;
  try {
    dump = await db.dumpDataDir('gzip');
  } finally {
    await db.close();
  }
  const bytes = Buffer.from(await dump.arrayBuffer());
  const secretsFile = path.join(dataDir, SECRETS_FILE);
  const header: BackupHeader = {
    createdAt: new Date().toISOString(),
    secrets: options.withSecrets && existsSync(secretsFile) ? readFileSync(secretsFile, 'utf8') : null,
    databaseBytes: bytes.length,
  };
  writeFileSync(file, Buffer.concat([Buffer.from(`${MAGIC}\n${JSON.stringify(header)}\n`), bytes]), {
    mode: 0o600,
  });
  return { file, databaseBytes: bytes.length, withSecrets: header.secrets !== null };
}

/**
 * Restores a backup into a data folder that has no database yet: the embedded database and, when the
 * backup has them and the folder has none, the secrets (without them sealed credentials stay closed).
 */
export async function restoreDataFolder(file: string, dataDir: string): Promise<BackupSummary> {
  const content = readFileSync(file);
  const firstBreak = content.indexOf(0x0a);
  const secondBreak = content.indexOf(0x0a, firstBreak + 1);
  if (firstBreak < 0 || secondBreak < 0 || content.subarray(0, firstBreak).toString() !== MAGIC)
    throw new Error(`${file} is not a Tradeplane backup`);
  const header = JSON.parse(content.subarray(firstBreak + 1, secondBreak).toString()) as BackupHeader;
  const database = content.subarray(secondBreak + 1);
  if (database.length !== header.databaseBytes)
    throw new Error(`${file} is cut short: ${database.length} of ${header.databaseBytes} database bytes`);
  const pgliteDir = path.join(dataDir, 'pglite');
  if (existsSync(pgliteDir) && readdirSync(pgliteDir).length > 0)
    throw new Error(`${dataDir} already holds a database; restore into an empty data folder`);
  mkdirSync(dataDir, { recursive: true });
  const secretsFile = path.join(dataDir, SECRETS_FILE);
  if (header.secrets !== null && !existsSync(secretsFile))
    writeFileSync(secretsFile, header.secrets, { mode: 0o600, flag: 'wx' });
  const db = await PGlite.create({ dataDir: pgliteDir, loadDataDir: new Blob([database]) });
  await db.close();
  return { file, databaseBytes: database.length, withSecrets: header.secrets !== null };
}
