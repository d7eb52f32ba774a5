import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import { RealtimeWsAdapter } from './realtime/ws-adapter';
import { ExchangeConnectorOptions } from './exchange/exchange-connector.service';
import type { ThreeCommasOptions } from './integrations/three-commas-client';
import { AppConfig } from './platform/config/app-config';
import { configureHttp } from './platform/http/configure-http';
import { clientErrorHandler, frameworkErrorHandler } from './platform/http/framework-errors';
import { requestIdFor } from './platform/http/request-id';
import { RouteTable } from './platform/http/route-table';
import { createRootLogger, PinoNestLogger } from './platform/logging/logger';
import { Clock } from './platform/time/clock';
import { MetricsService } from './platform/metrics/metrics.service';
import { buildOpenApiDocument, serveApiDocs } from './platform/openapi/openapi';

export interface CreateAppOptions {
  /** A logger to use instead of one built from LOG_LEVEL (tests pass a silent one). */
  logger?: PinoLogger;
  /** How exchange accounts reach their exchanges (tests: a loopback fake). */
  exchange?: ExchangeConnectorOptions;
  /** A clock to use instead of the system's (tests move simulated time by hand). */
  clock?: Clock;
  /** Where 3Commas is and the limits its client keeps (tests: a loopback fake with a short window). */
  threeCommas?: ThreeCommasOptions;
}

/**
 * Builds the whole application, initialised but not listening: main.ts listens on it, e2e tests
 * talk to it. Migrations have run when this returns (unless RUN_MIGRATIONS=false).
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const rootLogger = options.logger ?? createRootLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: rootLogger.child({ context: 'http' }),
    logController: new LogController({
      // Per-request lines only when debugging; errors are always logged by the exception filter.
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
      requestIdLogLabel: 'requestId',
    }),
    genReqId: requestIdFor,
    // A hop count: only that many proxies may speak for the client in X-Forwarded-For.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    bodyLimit: config.bodyLimitBytes,
    // A stopping server answers in the error shape itself (platform/http/draining.ts).
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options.exchange, options.clock, options.threeCommas),
    adapter,
    {
      logger: new PinoNestLogger(rootLogger),
      bufferLogs: false,
    },
  );
  app.useWebSocketAdapter(new RealtimeWsAdapter(app));
  const routes = new RouteTable();
  await configureHttp(app, config, routes);
  app.get(MetricsService).instrument(app.getHttpAdapter().getInstance());
  await app.init();
  // Built on the first request for it (nest's swagger keeps it), not on every start.
  serveApiDocs(app, () => buildOpenApiDocument(app, config.version));
  return app;
}
