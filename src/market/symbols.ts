import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';

/** Quote currencies recognised when a symbol has no separator (BTCUSDT). Longest first. */
const KNOWN_QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'EUR', 'USD', 'BTC', 'ETH', 'BNB'];

/**
 * Canonical form `BASE/QUOTE`: `BTC-USDT`, `BTCUSDT`, `btc_usdt`, `BTC%2FUSDT` and `BTC/USDT` are the
 * same symbol. Undefined when the text cannot be a symbol at all.
 */
export function normalizeSymbol(raw: string): string | undefined {
  let text = raw.trim();
  try {
    text = decodeURIComponent(text);
  } catch {
    return undefined;
  }
  text = text.toUpperCase();
  const parts = text.split(/[/\-_:]/).filter(Boolean);
  if (parts.length === 2 && parts.every((part) => /^[A-Z0-9]{2,12}$/.test(part)))
    return `${parts[0]}/${parts[1]}`;
  if (parts.length === 1 && /^[A-Z0-9]{4,20}$/.test(text)) {
    const quote = KNOWN_QUOTES.find(
      (candidate) => text.endsWith(candidate) && text.length - candidate.length >= 2,
    );
    if (quote) return `${text.slice(0, -quote.length)}/${quote}`;
  }
  return undefined;
}

/** The canonical symbol, or a 400 INVALID_SYMBOL that names what was sent. */
export function requireSymbol(raw: string, known?: ReadonlySet<string>): string {
  const symbol = normalizeSymbol(raw);
  if (!symbol)
    throw new ApiError(
      400,
      ErrorCode.INVALID_SYMBOL,
      `"${raw.slice(0, 40)}" is not a trading pair such as BTC/USDT`,
    );
  if (known && !known.has(symbol))
    throw new ApiError(400, ErrorCode.INVALID_SYMBOL, `${symbol} is not traded here`);
  return symbol;
}
