import { loadCcxt } from './exchange-catalog.service';
import { isRetryableRead, toApiError } from './exchange-errors';

describe('exchange errors', () => {
  it("map ccxt's classes to the API's codes and statuses", async () => {
    const ccxt = await loadCcxt();
    const cases: Array<[Error, number, string]> = [
      [new ccxt.InsufficientFunds('balance too low'), 400, 'INSUFFICIENT_BALANCE'],
      [new ccxt.BadSymbol('no such market'), 400, 'INVALID_SYMBOL'],
      [new ccxt.OrderNotFound('unknown order'), 404, 'NOT_FOUND'],
      [new ccxt.InvalidOrder('amount below minimum'), 400, 'VALIDATION_ERROR'],
      [new ccxt.AuthenticationError('bad signature'), 502, 'EXCHANGE_ERROR'],
      [new ccxt.RateLimitExceeded('slow down'), 503, 'EXCHANGE_ERROR'],
      [new ccxt.RequestTimeout('timed out'), 503, 'EXCHANGE_ERROR'],
      [new ccxt.ExchangeNotAvailable('maintenance'), 503, 'EXCHANGE_ERROR'],
      [new ccxt.ExchangeError('something else'), 502, 'EXCHANGE_ERROR'],
      [new ccxt.OperationFailed('internal error, try again'), 503, 'EXCHANGE_ERROR'],
      [new Error('a bug of ours'), 500, 'INTERNAL_ERROR'],
    ];
    for (const [error, status, code] of cases) {
      const mapped = toApiError(error, ccxt);
      expect({ error: error.constructor.name, status: mapped.getStatus(), code: mapped.code }).toEqual({
        error: error.constructor.name,
        status,
        code,
      });
    }
    expect(toApiError(new Error('secret detail'), ccxt).message).toBe('Internal server error');
    expect(toApiError(new ccxt.RateLimitExceeded('x'), ccxt).headers).toEqual({ 'Retry-After': '5' });
  });

  it('treats temporary failures as retryable for reads, and nothing else', async () => {
    const ccxt = await loadCcxt();
    expect(isRetryableRead(new ccxt.RequestTimeout('t'), ccxt)).toBe(true);
    expect(isRetryableRead(new ccxt.RateLimitExceeded('r'), ccxt)).toBe(true);
    expect(isRetryableRead(new ccxt.DDoSProtection('429'), ccxt)).toBe(true);
    expect(isRetryableRead(new ccxt.OperationFailed('try again'), ccxt)).toBe(true);
    expect(isRetryableRead(new ccxt.AuthenticationError('a'), ccxt)).toBe(false);
    expect(isRetryableRead(new ccxt.InsufficientFunds('f'), ccxt)).toBe(false);
    expect(isRetryableRead(new Error('x'), ccxt)).toBe(false);
  });
});
