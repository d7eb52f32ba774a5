import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../openapi/error-response.dto';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import type { RateLimitGroup } from './rate-limiter';
import { Role } from './role';

export const PUBLIC_ROUTE = 'tradeplane:public';
export const REQUIRED_ROLE = 'tradeplane:required-role';
export const PUBLIC_WHEN = 'tradeplane:public-when';
export const RATE_LIMIT_GROUP = 'tradeplane:rate-limit-group';
export const SKIP_RATE_LIMIT = 'tradeplane:skip-rate-limit';

/** OpenAPI names of the two ways to authenticate. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

/** Anyone may call this route, signed in or not. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}

/**
 * The route needs a signed-in principal (user token or API key) whose role is at least `role`.
 * Also documents the security schemes and the 401/403/429 answers in OpenAPI.
 */
export function Auth(role: Role): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'No valid token or API key', type: ErrorResponseDto }),
    ApiForbiddenResponse({ description: `Role below ${role}`, type: ErrorResponseDto }),
    ApiTooManyRequestsResponse({ description: 'Rate limit exceeded', type: ErrorResponseDto }),
  );
}

export type PublicPredicate = (config: AppConfig, request: FastifyRequest) => boolean;

/** Makes an @Auth route public when a setting says so (METRICS_PUBLIC=true, or the METRICS_TOKEN). */
export function PublicWhen(predicate: PublicPredicate): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_WHEN, predicate);
}

/** Counts the route in a special rate-limit group instead of its role's (e.g. API-key creation, 10/hour). */
export function RateLimit(group: RateLimitGroup): MethodDecorator & ClassDecorator {
  return SetMetadata(RATE_LIMIT_GROUP, group);
}

/** Never rate-limited: liveness and readiness probes. */
export function SkipRateLimit(): MethodDecorator & ClassDecorator {
  return SetMetadata(SKIP_RATE_LIMIT, true);
}
