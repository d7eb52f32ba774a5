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
      // Any request can be refused for its headers (the HTTP parser's limit), even a health probe's.
      if (!Object.keys(operation.responses).some((status) => status.startsWith('4')))
        operation.responses['431'] = errorResponse('Request headers too large');
      if (!operation.responses['500'])
        operation.responses['500'] = errorResponse(
          'Unexpected failure; details are logged under the request id',
        );
    }
  }
}

/**
 * Operation ids whose controller-and-method name reads badly as a generated client method
 * (`tradingStatusStatus`): the resource the path names, then what the call does.
 */
const OPERATION_IDS: Readonly<Record<string, string>> = {
  marketMarket: 'analyticsGetMarket',
  marketOrderBook: 'marketGetOrderBook',
  exchangeList: 'exchangesList',
  exchangeCreate: 'exchangeAccountsCreate',
  exchangeHealth: 'exchangeAccountsGetHealth',
  exchangeRemove: 'exchangeAccountsDelete',
  usersRemove: 'usersDelete',
  tradesActive: 'tradesListActive',
  tradesHistory: 'tradesListHistory',
  tradesDetail: 'tradesGet',
  positionsHistory: 'positionsListHistory',
  positionsAdd: 'positionsRecordClosed',
  tradingStatusStatus: 'tradingGetStatus',
  scannerStatus: 'scannerGetStatus',
  engineStatus: 'engineGetStatus',
  engineMetrics: 'engineGetMetrics',
  webSocketStatsStats: 'websocketGetStats',
  metricsRender: 'metricsGetPrometheus',
  metricsTrading: 'metricsGetTrading',
  metricsMl: 'metricsGetMl',
  metricsSystem: 'metricsGetSystem',
  metricsSummary: 'metricsGetSummary',
  metricsPerformance: 'metricsGetPerformance',
  metricsHealth: 'metricsGetHealth',
  metricsHistory: 'metricsGetHistory',
  statusStatus: 'statusGet',
  configPut: 'configUpdate',
  configPost: 'configUpdateOrValidate',
  configHistory: 'configListHistory',
  webhooksRemove: 'webhooksDelete',
  webhooksDeliveries: 'webhooksListDeliveries',
  dcaStatus: 'dcaGetStatus',
  dcaHistory: 'dcaListHistory',
  dcaPlan: 'dcaGetPlan',
  dcaList: 'dcaDealsList',
  dcaStart: 'dcaDealsCreate',
  dcaDetail: 'dcaDealsGet',
  dcaAddFunds: 'dcaDealsAddFunds',
  dcaUpdateTakeProfit: 'dcaDealsUpdateTakeProfit',
  dcaCancel: 'dcaDealsCancel',
  dcaPanicSell: 'dcaDealsPanicSell',
  analyticsEquity: 'analyticsGetEquity',
  analyticsPerformance: 'analyticsGetPerformance',
  analyticsRisk: 'analyticsGetRisk',
  analyticsFibonacci: 'analyticsGetFibonacci',
  analyticsBioEnergy: 'analyticsGetBioEnergy',
  mlList: 'mlModelsList',
  mlGet: 'mlModelsGet',
  mlActivate: 'mlModelsActivate',
  mlPerformance: 'mlGetPerformance',
  mlPredictions: 'mlPredictionsList',
  signalsIssue: 'botsIssueSignalToken',
  signalsRevoke: 'botsRevokeSignalToken',
  signalsList: 'botsListSignals',
  threeCommasAccounts: 'threeCommasAccountsList',
  threeCommasCreate: 'threeCommasAccountsCreate',
  threeCommasRemove: 'threeCommasAccountsDelete',
  threeCommasHealth: 'threeCommasGetHealth',
  threeCommasBots: 'threeCommasBotsList',
  threeCommasDeals: 'threeCommasDealsList',
  threeCommasEnable: 'threeCommasBotsEnable',
  threeCommasDisable: 'threeCommasBotsDisable',
  threeCommasStartNewDeal: 'threeCommasBotsStartNewDeal',
  threeCommasPanicSellAll: 'threeCommasBotsPanicSellAll',
  syncSnapshot: 'syncGetAccountSnapshot',
  syncTrades: 'syncListAccountTrades',
  syncGet: 'syncGetRun',
};

/** An operation without a security requirement is public: it says so (`security: []`). */
function markPublicOperations(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths))
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = pathItem[method];
      if (operation && !operation.security) operation.security = [];
    }
}

/** `{allOf: [X]}` with nothing beside it is X (nest writes it for a bare enum or DTO property). */
function inlineSingleAllOf(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const child = value as { allOf?: unknown[] } | null;
    if (
      child &&
      typeof child === 'object' &&
      Array.isArray(child.allOf) &&
      child.allOf.length === 1 &&
      Object.keys(child).length === 1
    )
      (node as Record<string, unknown>)[key] = child.allOf[0];
    else inlineSingleAllOf(value);
  }
}

/** `HealthController.check` -> `healthCheck`: short, unique names for generated client methods. */
function operationId(controllerKey: string, methodKey: string): string {
  const resource = controllerKey.replace(/Controller$/, '');
  const derived =
    resource.charAt(0).toLowerCase() +
    resource.slice(1) +
    methodKey.charAt(0).toUpperCase() +
    methodKey.slice(1);
  return OPERATION_IDS[derived] ?? derived;
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
    .setLicense('Proprietary (UNLICENSED)', 'https://docs.npmjs.com/cli/configuring-npm/package-json#license')
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME);
  for (const tag of API_TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ErrorResponseDto],
    operationIdFactory: operationId,
  });
  addCommonErrorResponses(document);
  markPublicOperations(document);
  inlineSingleAllOf(document);
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
