import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../access/access.decorators';
import { ErrorResponseDto } from './error-response.dto';

/** The tags of the API, one per domain module, in the order a reader meets them. */
export const API_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'auth', description: 'Sign in, refresh and sign out; who am I' },
  {
    name: 'users',
    description: 'Users and their roles (ADMIN); only a SUPER_ADMIN grants ADMIN or SUPER_ADMIN',
  },
  { name: 'api-keys', description: 'API keys for services (created by a SUPER_ADMIN, shown once)' },
  { name: 'audit', description: 'The append-only audit trail' },
  { name: 'exchanges', description: 'Exchanges supported through ccxt, and exchange accounts (ADMIN)' },
  { name: 'market', description: 'Market data: candles with indicators, order books, tickers' },
  { name: 'monitoring', description: 'Health probes, Prometheus metrics, system status and history' },
];

const ERROR_SCHEMA_REF = { $ref: '#/components/schemas/ErrorResponseDto' };

type ResponseObject = NonNullable<OpenAPIObject['components']>['responses'] extends
  Record<string, infer R> | undefined
  ? R
  : never;

function errorResponse(description: string): ResponseObject {
  return { description, content: { 'application/json': { schema: ERROR_SCHEMA_REF } } };
}

/** Every operation documents the answers the platform gives to any route: 400 on input, 500. */
function addCommonErrorResponses(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = pathItem[method];
      if (!operation) continue;
      const takesInput = Boolean(operation.requestBody) || (operation.parameters?.length ?? 0) > 0;
      if (takesInput && !operation.responses['400']) {
        operation.responses['400'] = errorResponse('Invalid input; `details` lists the fields');
      }
      if (!operation.responses['500'])
        operation.responses['500'] = errorResponse(
          'Unexpected failure; details are logged under the request id',
        );
    }
  }
}

/** `HealthController.check` -> `healthCheck`: short, unique names for generated client methods. */
function operationId(controllerKey: string, methodKey: string): string {
  const resource = controllerKey.replace(/Controller$/, '');
  return (
    resource.charAt(0).toLowerCase() +
    resource.slice(1) +
    methodKey.charAt(0).toUpperCase() +
    methodKey.slice(1)
  );
}

/** The OpenAPI document of the running code: what front-end teams build against. */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Tradeplane API')
    .setDescription(
      'Control plane for crypto trading bots. Every error has one shape (ErrorResponseDto). ' +
        'Authenticate with `Authorization: Bearer <jwt>` or `X-API-Key: <key>`.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME);
  for (const tag of API_TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ErrorResponseDto],
    operationIdFactory: operationId,
  });
  addCommonErrorResponses(document);
  return document;
}

const REDOC_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tradeplane API reference</title>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`;

/**
 * Swagger UI at /docs, ReDoc at /redoc, the spec at /openapi.json and /openapi.yaml; every asset
 * comes from installed packages, so the docs work with no network.
 */
export function serveApiDocs(app: NestFastifyApplication, document: () => OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    useGlobalPrefix: false,
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Tradeplane API',
  });
  const fastify = app.getHttpAdapter().getInstance();
  const redocBundle = path.join(
    path.dirname(require.resolve('redoc/package.json')),
    'bundles',
    'redoc.standalone.js',
  );
  fastify.get('/redoc', (_request, reply) => reply.type('text/html; charset=utf-8').send(REDOC_HTML));
  fastify.get('/redoc/redoc.standalone.js', (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .header('Cache-Control', 'public, max-age=86400')
      .send(createReadStream(redocBundle)),
  );
}
