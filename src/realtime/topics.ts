import { normalizeSymbol } from '../market/symbols';
import { Role } from '../platform/access/role';

/** Topics a client may subscribe to, with the least role that may read each. */
export const TOPIC_ROLES: Readonly<Record<string, Role>> = {
  system_status: Role.READ_ONLY,
  engine: Role.READ_ONLY,
  trading_updates: Role.READ_ONLY,
  positions: Role.READ_ONLY,
  orders: Role.READ_ONLY,
  signals: Role.READ_ONLY,
  scanner: Role.READ_ONLY,
  alerts: Role.READ_ONLY,
  dca: Role.READ_ONLY,
  ml: Role.READ_ONLY,
  // Host resource figures and background jobs: for operators.
  metrics: Role.ADMIN,
  jobs: Role.ADMIN,
};

export const TICKER_TOPIC_PREFIX = 'tickers:';

/** The canonical name of a topic (`tickers:btc-usdt` -> `tickers:BTC/USDT`), or undefined when unknown. */
export function canonicalTopic(raw: string): string | undefined {
  if (raw.startsWith(TICKER_TOPIC_PREFIX)) {
    const symbol = normalizeSymbol(raw.slice(TICKER_TOPIC_PREFIX.length));
    return symbol ? `${TICKER_TOPIC_PREFIX}${symbol}` : undefined;
  }
  return Object.hasOwn(TOPIC_ROLES, raw) ? raw : undefined;
}

export function topicRole(topic: string): Role {
  return topic.startsWith(TICKER_TOPIC_PREFIX) ? Role.READ_ONLY : TOPIC_ROLES[topic];
}
