import type { DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations';
import { pgliteDriver } from './pglite-pool';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TypeOrmLogger } from './typeorm-logger';

export interface DatabaseSettings {
  databaseUrl: string | undefined;
  pgliteDir: string | undefined;
  runMigrations: boolean;
}

/**
 * The options of both back ends: a PostgreSQL server when a URL is given, otherwise PGlite in the data
 * folder. Entities and migrations are the same; only the driver differs.
 */
export function buildDataSourceOptions(
  settings: DatabaseSettings,
  entities: DataSourceOptions['entities'] = [],
): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities,
    migrations: ALL_MIGRATIONS,
    migrationsRun: settings.runMigrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    logger: new TypeOrmLogger(),
    logging: ['error' as const, 'warn' as const, 'migration' as const],
    // findOneBy({ id: undefined }) must never silently return the first row.
    invalidWhereValuesBehavior: { null: 'throw' as const, undefined: 'throw' as const },
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
    // An idle connection dropped by the server must not crash the process; health reports the outage.
    poolErrorHandler: (error: unknown) =>
      new TypeOrmLogger().log('warn', `database pool error: ${String(error)}`),
  };
  if (settings.databaseUrl) {
    return {
      ...common,
      url: settings.databaseUrl,
      applicationName: 'tradeplane',
      // Generous: on a loaded machine a blocked event loop can fire a short connect timer before the
      // server's answer is read; a refused or unreachable server still fails at once.
      connectTimeoutMS: 10_000,
      poolSize: 10,
      extra: { idleTimeoutMillis: 30_000, keepAlive: true },
    };
  }
  return { ...common, driver: pgliteDriver(settings.pgliteDir), poolSize: 1 };
}
