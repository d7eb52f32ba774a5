import { ApiError } from '../platform/http/api-error';
import { normalizeSymbol, requireSymbol } from './symbols';

describe('symbols', () => {
  it.each(['BTC-USDT', 'BTCUSDT', 'btc_usdt', 'BTC%2FUSDT', 'BTC/USDT', ' btc/usdt ', 'BTC:USDT'])(
    '%s is BTC/USDT',
    (raw) => {
      expect(normalizeSymbol(raw)).toBe('BTC/USDT');
    },
  );

  it('splits unseparated symbols on the longest known quote', () => {
    expect(normalizeSymbol('ETHBTC')).toBe('ETH/BTC');
    expect(normalizeSymbol('SOLFDUSD')).toBe('SOL/FDUSD');
    expect(normalizeSymbol('1000PEPEUSDT')).toBe('1000PEPE/USDT');
  });

  it.each(['', 'USDT', 'BTC', 'B/T', 'BTC/USDT/X', '%E0%A4%A', 'DROP TABLE', 'X'.repeat(40)])(
    'refuses %j',
    (raw) => {
      expect(normalizeSymbol(raw)).toBeUndefined();
    },
  );

  it('answers 400 INVALID_SYMBOL for malformed and for unknown symbols', () => {
    const known = new Set(['BTC/USDT']);
    expect(requireSymbol('btcusdt', known)).toBe('BTC/USDT');
    for (const raw of ['nonsense!', 'DOGE/USDT']) {
      try {
        requireSymbol(raw, known);
        throw new Error('expected a refusal');
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).getStatus()).toBe(400);
        expect((error as ApiError).code).toBe('INVALID_SYMBOL');
      }
    }
  });
});
