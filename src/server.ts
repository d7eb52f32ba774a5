import { Logger } from '@nestjs/common';
import { createApp, CreateAppOptions } from './bootstrap';
import { ConfigError } from './platform/config/app-config';
import { loadConfig } from './platform/config/load-config';
import type { AppConfig } from './platform/config/app-config';
import { errorMessage } from './platform/errors/error-message';
import { drainHttp } from './platform/http/draining';

function readConfigOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function listen(options: CreateAppOptions): Promise<void> {
  const config = readConfigOrExit();
  const app = await createApp(config, options);
  const logger = new Logger('Main');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing in-flight requests, then closing`);
    const forced = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    forced.unref();
    drainHttp(app);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  logger.log(
    `Tradeplane ${config.version} listening on http://${config.host}:${config.port} (database: ${config.databaseDriver}, docs at /docs)`,
  );
}

/**
 * Runs the server as a process: configuration from the environment, a graceful stop on SIGTERM and
 * SIGINT, exit code 1 when it cannot start. `npm start` runs it as is; test entries pass options.
 */
export function serve(options: CreateAppOptions = {}): void {
  listen(options).catch((error: unknown) => {
    process.stderr.write(`Tradeplane failed to start: ${errorMessage(error)}\n`);
    process.exit(1);
  });
}
