import { HttpException } from '@nestjs/common';
import { ErrorCode } from './error-codes';

/**
 * The one exception type the application throws for a client-visible failure. The global filter
 * turns it into the error shape; `extra` fields (such as retryAfter) are added to the body.
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly details?: unknown,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message, status);
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, ErrorCode.NOT_FOUND, message);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(403, ErrorCode.AUTHORIZATION_ERROR, message);
  }

  static conflict(message: string, details?: unknown): ApiError {
    return new ApiError(409, ErrorCode.CONFLICT, message, details);
  }

  static validation(message: string, details?: unknown): ApiError {
    return new ApiError(400, ErrorCode.VALIDATION_ERROR, message, details);
  }

  static unavailable(message: string, details?: unknown): ApiError {
    return new ApiError(503, ErrorCode.SERVICE_UNAVAILABLE, message, details);
  }
}
