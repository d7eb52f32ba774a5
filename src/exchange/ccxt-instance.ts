import type { Exchange } from 'ccxt';
import { ExchangeCredentials } from './exchange-accounts.service';

export type CcxtModule = typeof import('ccxt');

export interface CcxtAccountSettings {
  exchangeId: string;
  credentials: ExchangeCredentials;
  sandbox: boolean;
  marketType: 'spot' | 'swap';
}

/** Every API URL of an exchange with its origin replaced, so that no call can leave that host. */
function redirectApi(urls: unknown, origin: string): unknown {
  // Some templates hold a {hostname} placeholder, so this is text work rather than URL parsing.
  // WebSocket URLs keep a WebSocket scheme (ws:// for an http:// origin).
  if (typeof urls === 'string')
    return urls.replace(/^([a-z]+):\/\/[^/]+/i, (_match, scheme: string) =>
      scheme.toLowerCase().startsWith('ws') ? origin.replace(/^http/i, 'ws') : origin,
    );
  if (urls && typeof urls === 'object') {
    return Object.fromEntries(Object.entries(urls).map(([key, value]) => [key, redirectApi(value, origin)]));
  }
  return urls;
}

/**
 * Builds the ccxt instance of an exchange account. Only these settings reach ccxt: credentials,
 * rate limiting, sandbox, market type. `redirectApiTo` sends every API call to another origin and
 * `rateLimitMs` replaces the exchange's request spacing: both exist for tests against a loopback fake
 * exchange and are never filled from a request.
 */
export function createCcxtInstance(
  ccxt: CcxtModule,
  settings: CcxtAccountSettings,
  redirectApiTo?: string,
  rateLimitMs?: number,
): Exchange {
  const classes = ccxt as unknown as Record<string, new (config: Record<string, unknown>) => Exchange>;
  const ExchangeClass = classes[settings.exchangeId];
  if (typeof ExchangeClass !== 'function')
    throw new ccxt.NotSupported(`ccxt has no exchange ${settings.exchangeId}`);
  const exchange = new ExchangeClass({
    apiKey: settings.credentials.apiKey,
    secret: settings.credentials.secret,
    ...(settings.credentials.password ? { password: settings.credentials.password } : {}),
    enableRateLimit: true,
    // ccxt's own spacing per exchange unless a test against a loopback fake shortens it.
    ...(rateLimitMs !== undefined ? { rateLimit: rateLimitMs } : {}),
    // Markets of the account's type only; no margin pairs or currency lists (calls we do not need).
    options: {
      defaultType: settings.marketType,
      fetchMarkets: [settings.marketType === 'swap' ? 'linear' : 'spot'],
      fetchMargins: false,
      fetchCurrencies: false,
      adjustForTimeDifference: false,
      // Reconciliation asks for all open orders of an account once per pass, knowingly at the higher
      // request weight; without this, Binance's adapter refuses the call outright.
      warnOnFetchOpenOrdersWithoutSymbol: false,
    },
  });
  // Currency lists serve deposits and withdrawals, which we never make; some exchanges ignore the option.
  exchange.has = { ...exchange.has, fetchCurrencies: false };
  if (settings.sandbox) exchange.setSandboxMode(true);
  if (redirectApiTo)
    exchange.urls.api = redirectApi(exchange.urls.api, redirectApiTo) as typeof exchange.urls.api;
  return exchange;
}
