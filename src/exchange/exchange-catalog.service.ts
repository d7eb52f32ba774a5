import { Injectable } from '@nestjs/common';
import { ExchangeInfoDto } from './dto/exchange.dto';

type CcxtModule = typeof import('ccxt');

interface CcxtExchangeShape {
  id: string;
  name: string;
  has: Record<string, boolean | string | undefined>;
  urls: { test?: unknown };
  requiredCredentials?: { password?: boolean };
}

let ccxtModule: Promise<CcxtModule> | undefined;

/** ccxt costs ~0.5 s to load: it is loaded once, on first use. */
export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import('ccxt');
  return ccxtModule;
}

/** Exchanges described between two yields to the event loop while the whole list is built. */
const DESCRIBED_PER_TURN = 8;

/**
 * The exchanges ccxt supports, with what each can do. Describing one means building its ccxt instance
 * (up to tens of ms each, 1-2 s for all of them): an account's exchange is described alone, and the
 * whole list is built once, a few exchanges per event-loop turn, so requests are served meanwhile.
 */
@Injectable()
export class ExchangeCatalog {
  private catalog: Promise<ExchangeInfoDto[]> | undefined;
  private readonly described = new Map<string, ExchangeInfoDto>();

  list(): Promise<ExchangeInfoDto[]> {
    this.catalog ??= this.build();
    return this.catalog;
  }

  async get(exchangeId: string): Promise<ExchangeInfoDto | undefined> {
    const ccxt = await loadCcxt();
    return exchangeIdsOf(ccxt).includes(exchangeId) ? this.describe(ccxt, exchangeId) : undefined;
  }

  private async build(): Promise<ExchangeInfoDto[]> {
    const ccxt = await loadCcxt();
    const all: ExchangeInfoDto[] = [];
    const ids = exchangeIdsOf(ccxt);
    for (let index = 0; index < ids.length; index++) {
      if (index > 0 && index % DESCRIBED_PER_TURN === 0)
        await new Promise((resolve) => setImmediate(resolve));
      const info = this.describe(ccxt, ids[index]);
      if (info) all.push(info);
    }
    return all;
  }

  private describe(ccxt: CcxtModule, id: string): ExchangeInfoDto | undefined {
    const known = this.described.get(id);
    if (known) return known;
    const ExchangeClass = (ccxt as unknown as Record<string, new () => CcxtExchangeShape>)[id];
    if (typeof ExchangeClass !== 'function') return undefined;
    const exchange = new ExchangeClass();
    const has = (feature: string) => exchange.has[feature] === true || exchange.has[feature] === 'emulated';
    const info: ExchangeInfoDto = {
      id,
      name: exchange.name,
      spot: has('spot'),
      swap: has('swap'),
      sandbox: Boolean(exchange.urls.test),
      requiresPassphrase: exchange.requiredCredentials?.password === true,
      capabilities: {
        fetchBalance: has('fetchBalance'),
        createOrder: has('createOrder'),
        cancelOrder: has('cancelOrder'),
        fetchOrder: has('fetchOrder'),
        fetchOpenOrders: has('fetchOpenOrders'),
        fetchMyTrades: has('fetchMyTrades'),
        fetchTicker: has('fetchTicker'),
        fetchOrderBook: has('fetchOrderBook'),
        fetchOHLCV: has('fetchOHLCV'),
        websocket: has('ws'),
      },
    };
    this.described.set(id, info);
    return info;
  }
}

/** ccxt's exchange ids: an array at run time, though typed as a map of classes. */
function exchangeIdsOf(ccxt: CcxtModule): string[] {
  const listed: unknown = ccxt.exchanges;
  return Array.isArray(listed) ? (listed as string[]) : Object.keys(ccxt.exchanges);
}
