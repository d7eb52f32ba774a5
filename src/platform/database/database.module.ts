import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseHealth } from './database-health';

/** PostgreSQL from DATABASE_URL, or PGlite in DATA_DIR; migrations run at start-up unless disabled. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions({
          databaseUrl: config.databaseUrl,
          pgliteDir: config.pgliteDir,
          runMigrations: config.runMigrations,
        }),
        autoLoadEntities: true,
        // One attempt: a database that is down at start-up stops the process with a clear message.
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [DatabaseHealth],
  exports: [DatabaseHealth],
})
export class DatabaseModule {}
