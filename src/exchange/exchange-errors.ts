import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';

type CcxtModule = typeof import('ccxt');

/**
 * What an exchange failure means for the API. Adapters (paper and ccxt) throw ccxt's own error
 * classes; this maps them to the one error shape. Order of checks matters: ccxt's classes inherit
 * from each other (InsufficientFunds is an ExchangeError, RequestTimeout a NetworkError).
 */
export function toApiError(error: unknown, ccxt: CcxtModule): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message.slice(0, 300) : 'exchange error';
  if (error instanceof ccxt.InsufficientFunds)
    return new ApiError(400, ErrorCode.INSUFFICIENT_BALANCE, message);
  if (error instanceof ccxt.BadSymbol) return new ApiError(400, ErrorCode.INVALID_SYMBOL, message);
  if (error instanceof ccxt.OrderNotFound) return new ApiError(404, ErrorCode.NOT_FOUND, message);
  if (
    error instanceof ccxt.InvalidOrder ||
    error instanceof ccxt.BadRequest ||
    error instanceof ccxt.ArgumentsRequired
  ) {
    return new ApiError(400, ErrorCode.VALIDATION_ERROR, message);
  }
  if (
    error instanceof ccxt.AuthenticationError ||
    error instanceof ccxt.PermissionDenied ||
    error instanceof ccxt.AccountSuspended
  ) {
    // The exchange refused our credentials: our configuration, not the caller's request.
    return new ApiError(
      502,
      ErrorCode.EXCHANGE_ERROR,
      `the exchange refused the account's credentials: ${message}`,
    );
  }
  if (error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection) {
    return new ApiError(
      503,
      ErrorCode.EXCHANGE_ERROR,
      `the exchange is rate limiting us: ${message}`,
      undefined,
      {},
      { 'Retry-After': '5' },
    );
  }
  // OperationFailed is ccxt's root of temporary failures (NetworkError and, e.g., Binance's -1001).
  if (error instanceof ccxt.OperationFailed) {
    return new ApiError(503, ErrorCode.EXCHANGE_ERROR, `the exchange did not answer: ${message}`);
  }
  if (error instanceof ccxt.ExchangeError) return new ApiError(502, ErrorCode.EXCHANGE_ERROR, message);
  return new ApiError(500, ErrorCode.INTERNAL_ERROR, 'Internal server error');
}

/**
 * A temporary failure (ccxt's OperationFailed: network errors, rate limits, "try again" answers) may be
 * retried for a read. On an order placement the outcome is unknown, so it is never retried.
 */
export function isRetryableRead(error: unknown, ccxt: CcxtModule): boolean {
  return error instanceof ccxt.OperationFailed;
}
