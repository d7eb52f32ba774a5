/**
 * `npm run backup -- <file> [--without-secrets]` and `npm run restore -- <file>`: the embedded
 * database of DATA_DIR (default ./data) to one file and back. Stop the application first. With
 * DATABASE_URL the database is a PostgreSQL server: use pg_dump and pg_restore (see README).
 */
import { backupDataFolder, restoreDataFolder } from '../src/platform/database/pglite-backup';

async function main(): Promise<void> {
  const [mode, file, ...flags] = process.argv.slice(2);
  if ((mode !== 'backup' && mode !== 'restore') || !file) {
    console.error('usage: npm run backup -- <file> [--without-secrets] | npm run restore -- <file>');
    process.exit(2);
  }
  if (process.env.DATABASE_URL) {
    console.error(
      'DATABASE_URL is set: back up PostgreSQL with pg_dump -Fc, restore with pg_restore (README)',
    );
    process.exit(2);
  }
  const dataDir = process.env.DATA_DIR ?? './data';
  const summary =
    mode === 'backup'
      ? await backupDataFolder(dataDir, file, { withSecrets: !flags.includes('--without-secrets') })
      : await restoreDataFolder(file, dataDir);
  console.log(
    `${mode === 'backup' ? 'backed up' : 'restored'} ${dataDir}: ${(summary.databaseBytes / 1e6).toFixed(1)} MB of database` +
      (summary.withSecrets ? ', with its secrets' : ', without secrets'),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
