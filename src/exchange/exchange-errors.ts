import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';

type CcxtModule = typeof import('ccxt');

/** What went wrong at an exchange, in the project's own terms (ccxt's classes stay in this module). */
export type ExchangeFailureKind =
  | 'insufficient_funds'
  | 'bad_symbol'
  | 'order_not_found'
  | 'invalid_order'
  | 'duplicate_order'
  | 'credentials'
  | 'rate_limited'
  | 'unavailable'
  | 'refused';

/** A failure an exchange port reports: callers outside this module branch on `kind`. */
export class ExchangeFailure extends Error {
  constructor(
    readonly kind: ExchangeFailureKind,
    message: string,
  ) {
    super(message);
  }

  /**
   * The exchange answered and said no: a refused order was not placed. Otherwise (no answer, rate
   * limited, a client order id it already has) whether an order exists is not known.
   */
  get definite(): boolean {
    return this.kind !== 'unavailable' && this.kind !== 'rate_limited' && this.kind !== 'duplicate_order';
  }
}

/**
 * ccxt's error classes (which both adapters throw) as an ExchangeFailure; anything else unchanged.
 * Order of checks matters: ccxt's classes inherit from each other (InsufficientFunds is an
 * ExchangeError, DuplicateOrderId an InvalidOrder, RequestTimeout a NetworkError).
 */
export function toExchangeFailure(error: unknown, ccxt: CcxtModule): unknown {
  if (!(error instanceof ccxt.BaseError)) return error;
  const message = error.message.slice(0, 300);
  const kind: ExchangeFailureKind =
    error instanceof ccxt.InsufficientFunds
      ? 'insufficient_funds'
      : error instanceof ccxt.BadSymbol
        ? 'bad_symbol'
        : error instanceof ccxt.OrderNotFound
          ? 'order_not_found'
          : error instanceof ccxt.DuplicateOrderId
            ? 'duplicate_order'
            : error instanceof ccxt.InvalidOrder ||
                error instanceof ccxt.BadRequest ||
                error instanceof ccxt.ArgumentsRequired
              ? 'invalid_order'
              : error instanceof ccxt.AuthenticationError ||
                  error instanceof ccxt.PermissionDenied ||
                  error instanceof ccxt.AccountSuspended
                ? 'credentials'
                : error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection
                  ? 'rate_limited'
                  : // OperationFailed is ccxt's root of temporary failures (NetworkError, Binance's -1001).
                    error instanceof ccxt.OperationFailed
                    ? 'unavailable'
                    : 'refused';
  return new ExchangeFailure(kind, message);
}

/** An exchange port whose every call reports ccxt's errors as ExchangeFailure. */
export function reportingFailures<T extends object>(port: T, ccxt: CcxtModule): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = value.apply(target, args);
          return result instanceof Promise
            ? result.catch((error: unknown) => {
                throw toExchangeFailure(error, ccxt);
              })
            : result;
        } catch (error) {
          throw toExchangeFailure(error, ccxt);
        }
      };
    },
  });
}

/**
 * What an exchange failure means for the API, in the one error shape. Takes an ExchangeFailure, or a
 * ccxt error when `ccxt` is given (inside this module).
 */
export function toApiError(error: unknown, ccxt?: CcxtModule): ApiError {
  if (error instanceof ApiError) return error;
  const failure = ccxt ? toExchangeFailure(error, ccxt) : error;
  if (!(failure instanceof ExchangeFailure))
    return new ApiError(500, ErrorCode.INTERNAL_ERROR, 'Internal server error');
  const message = failure.message;
  switch (failure.kind) {
    case 'insufficient_funds':
      return new ApiError(400, ErrorCode.INSUFFICIENT_BALANCE, message);
    case 'bad_symbol':
      return new ApiError(400, ErrorCode.INVALID_SYMBOL, message);
    case 'order_not_found':
      return new ApiError(404, ErrorCode.NOT_FOUND, message);
    case 'invalid_order':
    case 'duplicate_order':
      return new ApiError(400, ErrorCode.VALIDATION_ERROR, message);
    case 'credentials':
      // The exchange refused our credentials: our configuration, not the caller's request.
      return new ApiError(
        502,
        ErrorCode.EXCHANGE_ERROR,
        `the exchange refused the account's credentials: ${message}`,
      );
    case 'rate_limited':
      return new ApiError(
        503,
        ErrorCode.EXCHANGE_ERROR,
        `the exchange is rate limiting us: ${message}`,
        undefined,
        {},
        { 'Retry-After': '5' },
      );
    case 'unavailable':
      return new ApiError(503, ErrorCode.EXCHANGE_ERROR, `the exchange did not answer: ${message}`);
    case 'refused':
      return new ApiError(502, ErrorCode.EXCHANGE_ERROR, message);
  }
}

/**
 * A temporary failure (ccxt's OperationFailed: network errors, rate limits, "try again" answers) may be
 * retried for a read. On an order placement the outcome is unknown, so it is never retried.
 */
export function isRetryableRead(error: unknown, ccxt: CcxtModule): boolean {
  return error instanceof ccxt.OperationFailed;
}
