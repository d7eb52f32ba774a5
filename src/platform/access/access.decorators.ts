import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../openapi/error-response.dto';
import { AppConfig } from '../config/app-config';
import { Role } from './role';

export const PUBLIC_ROUTE = 'tradeplane:public';
export const REQUIRED_ROLE = 'tradeplane:required-role';
export const PUBLIC_WHEN = 'tradeplane:public-when';

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

/** Makes an @Auth route public when a setting says so (for example METRICS_PUBLIC=true). */
export function PublicWhen(predicate: (config: AppConfig) => boolean): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_WHEN, predicate);
}
