import { loadCcxt } from './exchange-catalog.service';
import {
  ExchangeFailure,
  isRetryableRead,
  reportingFailures,
  toApiError,
  toExchangeFailure,
} from './exchange-errors';

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

  it("turns ccxt's classes into the project's failure kinds, and says which refusals are definite", async () => {
    const ccxt = await loadCcxt();
    const cases: Array<[Error, string, boolean]> = [
      [new ccxt.InsufficientFunds('f'), 'insufficient_funds', true],
      [new ccxt.BadSymbol('s'), 'bad_symbol', true],
      [new ccxt.OrderNotFound('o'), 'order_not_found', true],
      [new ccxt.DuplicateOrderId('d'), 'duplicate_order', false],
      [new ccxt.InvalidOrder('i'), 'invalid_order', true],
      [new ccxt.PermissionDenied('p'), 'credentials', true],
      [new ccxt.DDoSProtection('429'), 'rate_limited', false],
      [new ccxt.RequestTimeout('t'), 'unavailable', false],
      [new ccxt.ExchangeError('e'), 'refused', true],
    ];
    for (const [error, kind, definite] of cases) {
      const failure = toExchangeFailure(error, ccxt) as ExchangeFailure;
      expect({ error: error.constructor.name, kind: failure.kind, definite: failure.definite }).toEqual({
        error: error.constructor.name,
        kind,
        definite,
      });
      expect(failure.message).toBe(error.message);
    }
    const bug = new Error('ours');
    expect(toExchangeFailure(bug, ccxt)).toBe(bug);
    // Outside the exchange module the failure maps without ccxt at hand.
    expect(toApiError(toExchangeFailure(new ccxt.InsufficientFunds('low'), ccxt)).code).toBe(
      'INSUFFICIENT_BALANCE',
    );
  });

  it('makes every call of a port report ExchangeFailure, thrown or rejected', async () => {
    const ccxt = await loadCcxt();
    const port = reportingFailures(
      {
        name: 'fake',
        rejects: async () => {
          throw new ccxt.OrderNotFound('gone');
        },
        throws: (): number => {
          throw new ccxt.BadSymbol('nope');
        },
        answers: async (value: number) => value * 2,
      },
      ccxt,
    );
    await expect(port.rejects()).rejects.toMatchObject({ kind: 'order_not_found', message: 'gone' });
    expect(() => port.throws()).toThrow(ExchangeFailure);
    await expect(port.answers(21)).resolves.toBe(42);
    expect(port.name).toBe('fake');
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
