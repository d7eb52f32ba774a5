import { ErrorCode } from './error-codes';

/** The error shape of every failed response (ARCHITECTURE.md). */
export interface ErrorBody {
  statusCode: number;
  error: ErrorCode | string;
  message: string;
  details?: unknown;
  timestamp: string;
  requestId: string;
  [extra: string]: unknown;
}

export function buildErrorBody(
  statusCode: number,
  error: ErrorCode | string,
  message: string,
  requestId: string,
  details?: unknown,
  extra: Record<string, unknown> = {},
): ErrorBody {
  const body: ErrorBody = {
    statusCode,
    error,
    message,
    timestamp: new Date().toISOString(),
    requestId,
    ...extra,
  };
  if (details !== undefined) body.details = details;
  return body;
}
