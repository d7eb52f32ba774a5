import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppModule } from './app.module';
import { loadConfig } from './platform/config/load-config';
import { buildOpenApiDocument } from './platform/openapi/openapi';

/**
 * The OpenAPI document of the code as it stands, built without a database: Nest's preview mode
 * scans controllers and DTOs without instantiating providers.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-openapi-'));
  try {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config),
      new FastifyAdapter(),
      {
        preview: true,
        logger: false,
        abortOnError: false,
      },
    );
    app.setGlobalPrefix('api');
    const document = buildOpenApiDocument(app, config.version);
    await app.close();
    return document;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    Logger.flush();
  }
}

/** The committed form: stable key order as generated, two-space indent, trailing newline. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return JSON.stringify(document, null, 2) + '\n';
}
