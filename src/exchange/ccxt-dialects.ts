import type { Balances, Exchange, Order } from 'ccxt';
import type { ExchangeBalance, OrderReference } from './exchange-port';

/** What a health check learns of an account by calling the exchange. */
export interface AccountStatus {
  accountType: string;
  /** null when the exchange does not say. */
  tradingEnabled: boolean | null;
  balances: ExchangeBalance[];
}

/** How one exchange differs where ccxt's unified API leaves it to the caller. */
export interface Dialect {
  /** Parameters of fetchOrder for a lookup by our client order id. */
  clientOrderIdLookup(clientOrderId: string): Record<string, unknown>;
  /** Extra parameters every fetchOrder needs. */
  fetchOrderParams: Record<string, unknown>;
  /** Where an order fetchOrder does not see may still be found (an exchange's order history). */
  orderHistory?: (
    exchange: Exchange,
    reference: OrderReference,
    symbol: string,
  ) => Promise<Order | undefined>;
  /**
   * Parameters of fetchMyTrades for the trades after the one with this id (null: from the first),
   * where the exchange pages by trade id; without it, pages go by time.
   */
  tradesAfter?: (tradeId: string | null) => Record<string, unknown>;
  accountStatus(
    exchange: Exchange,
    balance: Balances,
    marketType: string,
  ): Promise<Omit<AccountStatus, 'balances'>>;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

export const GENERIC_DIALECT: Dialect = {
  clientOrderIdLookup: (clientOrderId) => ({ clientOrderId }),
  fetchOrderParams: {},
  accountStatus: (_exchange, balance, marketType) => {
    const info = record(balance.info);
    return Promise.resolve({
      accountType: typeof info.accountType === 'string' ? info.accountType : marketType.toUpperCase(),
      tradingEnabled: typeof info.canTrade === 'boolean' ? info.canTrade : null,
    });
  },
};

export const DIALECTS: Record<string, Dialect> = {
  // Binance lists an account's trades of a symbol from a trade id on (without one: only the latest).
  binance: {
    ...GENERIC_DIALECT,
    tradesAfter: (tradeId) => ({ fromId: tradeId === null ? 0 : Number(tradeId) + 1 }),
  },
  bybit: {
    clientOrderIdLookup: (clientOrderId) => ({ orderLinkId: clientOrderId }),
    // Bybit's unified accounts answer fetchOrder for the last 500 orders only; ccxt wants that acknowledged.
    fetchOrderParams: { acknowledged: true },
    // Older orders are in the order history (final ones; open orders are always in the first answer).
    orderHistory: async (exchange, reference, symbol) =>
      (
        await exchange.fetchCanceledAndClosedOrders(
          symbol,
          undefined,
          undefined,
          reference.id ? { orderId: reference.id } : { orderLinkId: reference.clientOrderId },
        )
      )[0],
    accountStatus: async (exchange, balance) => {
      const list = record(record(balance.info).result).list;
      const first = Array.isArray(list) ? record(list[0]) : {};
      const key = record(
        record(
          await (exchange as unknown as Record<string, () => Promise<unknown>>).privateGetV5UserQueryApi(),
        ).result,
      );
      return {
        accountType: typeof first.accountType === 'string' ? first.accountType : 'UNKNOWN',
        tradingEnabled: key.readOnly === undefined ? null : Number(key.readOnly) === 0,
      };
    },
  },
};
