import { HttpException } from '@nestjs/common';
import { isDatabaseUnavailable } from '../database/database-errors';
import { ApiError } from './api-error';
import { ErrorCode, errorCodeForStatus } from './error-codes';

export interface MappedError {
  status: number;
  code: ErrorCode | string;
  message: string;
  details?: unknown;
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** true when the cause is ours, not the client's: log it, hide it. */
  internal: boolean;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** The code of a JSON body refused for a prototype-poisoning key (our JSON parser sets it). */
export const FORBIDDEN_JSON_KEY = 'TP_FORBIDDEN_JSON_KEY';

/** Fastify's own errors (body parsing, size limits, content types, URLs) by their stable codes. */
export const FASTIFY_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: ErrorCode.MALFORMED_REQUEST,
    message: 'The request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: ErrorCode.MALFORMED_REQUEST,
    message: 'The request body is empty but Content-Type is application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: ErrorCode.PAYLOAD_TOO_LARGE,
    message: 'The request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    message: 'The request body has an unsupported Content-Type',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: ErrorCode.URI_TOO_LONG,
    message: 'A path parameter of the URL is too long',
  },
  FST_ERR_BAD_URL: {
    status: 400,
    code: ErrorCode.MALFORMED_REQUEST,
    message: 'The URL is not valid (a path parameter is badly encoded)',
  },
  [FORBIDDEN_JSON_KEY]: {
    status: 400,
    code: ErrorCode.MALFORMED_REQUEST,
    message: 'The request body has a "__proto__" or "constructor.prototype" key, which is not allowed',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: ErrorCode.MALFORMED_REQUEST,
    message: 'The Content-Length header does not match the body',
  },
};

function messageOf(response: unknown, fallback: string): string {
  if (typeof response === 'string') return response;
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const message = response.message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
  }
  return fallback;
}

/** Classifies anything thrown while serving a request into the parts of the error shape. */
export function mapError(error: unknown): MappedError {
  if (error instanceof ApiError) {
    return {
      status: error.getStatus(),
      code: error.code,
      message: error.message,
      details: error.details,
      extra: error.extra,
      headers: error.headers,
      internal: error.getStatus() >= 500,
    };
  }
  if (error instanceof HttpException) {
    // Nest wraps Fastify's own client errors (body parsing, size) and keeps the original as cause.
    const fastifyCode = (error.cause as FastifyLikeError | undefined)?.code;
    const known = fastifyCode ? FASTIFY_ERRORS[fastifyCode] : undefined;
    if (known) return { ...known, internal: false };
    const status = error.getStatus();
    return {
      status,
      code: errorCodeForStatus(status),
      message: status >= 500 ? 'Internal server error' : messageOf(error.getResponse(), error.message),
      internal: status >= 500,
    };
  }
  const fastifyError = error as FastifyLikeError;
  if (fastifyError && typeof fastifyError.code === 'string') {
    const known = FASTIFY_ERRORS[fastifyError.code];
    if (known) return { ...known, internal: false };
  }
  // Other client errors raised by Fastify plugins carry a 4xx statusCode and a safe message.
  if (
    fastifyError &&
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return {
      status: fastifyError.statusCode,
      code: errorCodeForStatus(fastifyError.statusCode),
      message: fastifyError.message ?? 'Bad request',
      internal: false,
    };
  }
  // Logged like a fault of ours, answered as what it is: the client may send the request again.
  if (isDatabaseUnavailable(error))
    return {
      status: 503,
      code: ErrorCode.SERVICE_UNAVAILABLE,
      message: 'The database did not complete the request: send it again',
      headers: { 'retry-after': '1' },
      internal: true,
    };
  return { status: 500, code: ErrorCode.INTERNAL_ERROR, message: 'Internal server error', internal: true };
}
