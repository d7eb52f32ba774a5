/**
 * Migration commands for both back ends (PGlite in DATA_DIR, or PostgreSQL from DATABASE_URL):
 *   run       apply pending migrations
 *   revert    undo the last applied migration
 *   check     fail when the entities and the migrations disagree
 *   generate  write migrations/<timestamp>-<Name>.ts with the difference, and register it
 * `check` and `generate` compare against a scratch database with every migration applied, so the
 * state of the configured database does not matter.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ConfigError, readPlainConfig } from '../src/platform/config/app-config';
import { buildDataSourceOptions } from '../src/platform/database/data-source-options';
import {
  createDatabase,
  databaseNameOf,
  dropDatabase,
  withDatabase,
} from '../src/platform/database/postgres-admin';

const ROOT = path.resolve(__dirname, '..');
const ENTITIES = [path.join(ROOT, 'src/**/*.entity.{ts,js}')];

function options(databaseUrl: string | undefined, pgliteDir: string | undefined): DataSourceOptions {
  return { ...buildDataSourceOptions({ databaseUrl, pgliteDir, runMigrations: false }), entities: ENTITIES };
}

async function withDataSource<T>(
  opts: DataSourceOptions,
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const dataSource = new DataSource(opts);
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** The SQL that would bring a fully migrated database to what the entities describe. */
async function pendingSchemaChanges(
  databaseUrl: string | undefined,
): Promise<{ up: string[]; down: string[] }> {
  const diff = async (opts: DataSourceOptions) =>
    withDataSource(opts, async (dataSource) => {
      await dataSource.runMigrations({ transaction: 'each' });
      const sql = await dataSource.driver.createSchemaBuilder().log();
      return { up: sql.upQueries.map((q) => q.query), down: sql.downQueries.map((q) => q.query).reverse() };
    });
  if (!databaseUrl) return diff(options(undefined, undefined));
  const scratch = `${databaseNameOf(databaseUrl)}_migration_check_${process.pid}`;
  await dropDatabase(databaseUrl, scratch);
  await createDatabase(databaseUrl, scratch);
  try {
    return await diff(options(withDatabase(databaseUrl, scratch), undefined));
  } finally {
    await dropDatabase(databaseUrl, scratch);
  }
}

function writeMigration(name: string, up: string[], down: string[]): string {
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const file = path.join(ROOT, 'migrations', `${timestamp}-${name}.ts`);
  const lines = (queries: string[]) =>
    queries.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join('\n');
  writeFileSync(
    file,
    `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`,
  );
  const indexFile = path.join(ROOT, 'migrations', 'index.ts');
  const index = readFileSync(indexFile, 'utf8')
    .replace(/(\n\/\*\*)/, `import { ${className} } from './${timestamp}-${name}';\n$1`)
    .replace(/ALL_MIGRATIONS = \[([^\]]*)\]/, (_match, list: string) => {
      const entries = list
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      return `ALL_MIGRATIONS = [${[...entries, className].join(', ')}]`;
    });
  writeFileSync(indexFile, index);
  return file;
}

async function main(): Promise<number> {
  Logger.overrideLogger(['log', 'error', 'warn']);
  const [command, name] = process.argv.slice(2);
  const config = readPlainConfig(process.env);
  const target = options(
    config.databaseUrl,
    config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
  );
  switch (command) {
    case 'run':
      await withDataSource(target, async (dataSource) => {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        console.log(
          applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations',
        );
      });
      return 0;
    case 'revert':
      await withDataSource(target, (dataSource) => dataSource.undoLastMigration({ transaction: 'each' }));
      console.log('reverted the last migration');
      return 0;
    case 'check': {
      const { up } = await pendingSchemaChanges(config.databaseUrl);
      if (up.length === 0) {
        console.log('migrations match the entities');
        return 0;
      }
      console.error(`entities and migrations disagree; a migration would run:\n${up.join(';\n')}`);
      return 1;
    }
    case 'generate': {
      if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
        console.error('usage: npm run migration:generate -- <PascalCaseName>');
        return 2;
      }
      const { up, down } = await pendingSchemaChanges(config.databaseUrl);
      if (up.length === 0) {
        console.log('no changes: the migrations already match the entities');
        return 0;
      }
      console.log(`wrote ${path.relative(ROOT, writeMigration(name, up, down))}`);
      return 0;
    }
    default:
      console.error('usage: migration.ts run | revert | check | generate <Name>');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? `Invalid configuration: ${error.message}` : error);
    process.exit(1);
  },
);
