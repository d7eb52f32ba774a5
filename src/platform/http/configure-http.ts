import { ValidationError, ValidationPipe } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { ApiError } from './api-error';
import { answerWhileDraining } from './draining';
import { useJsonBodies } from './framework-errors';
import { GlobalExceptionFilter } from './global-exception.filter';
import { requestContext } from './request-context';
import { RouteTable } from './route-table';
import { API_HELMET_OPTIONS, computeSecurityHeaders, DOCS_HELMET_OPTIONS } from './security-headers';

interface FieldError {
  field: string;
  errors: string[];
}

function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** The validation pipe of every route: unknown fields are refused, values converted to DTO types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const message = details.map((detail) => `${detail.field}: ${detail.errors.join(', ')}`).join('; ');
      return ApiError.validation(message || 'Validation failed', details);
    },
  });
}

/**
 * Everything HTTP that is not a route: request ids in every log line, security headers, CORS, the
 * error filter, validation, the /api prefix. Must run before app.init().
 */
export async function configureHttp(
  app: NestFastifyApplication,
  config: AppConfig,
  routes: RouteTable,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  routes.attach(fastify);

  const apiHeaders = computeSecurityHeaders(API_HELMET_OPTIONS);
  const docsHeaders = computeSecurityHeaders(DOCS_HELMET_OPTIONS);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.url.startsWith('/api/') ? apiHeaders : docsHeaders);
    void reply.header('x-request-id', request.id);
    requestContext.run({ requestId: String(request.id) }, done);
  });
  answerWhileDraining(fastify);

  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      credentials: !config.corsOrigins.includes('*'),
      exposedHeaders: [
        'X-Request-Id',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'Retry-After',
      ],
    });
  }

  useJsonBodies(app, config.bodyLimitBytes);
  app.setGlobalPrefix('api');
  app.useGlobalFilters(new GlobalExceptionFilter(routes));
  app.useGlobalPipes(createValidationPipe());
}
