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

/** The exchanges ccxt supports, with what each can do; built once. */
@Injectable()
export class ExchangeCatalog {
  private catalog: Promise<ExchangeInfoDto[]> | undefined;

  list(): Promise<ExchangeInfoDto[]> {
    this.catalog ??= this.build();
    return this.catalog;
  }

  async isSupported(exchangeId: string): Promise<boolean> {
    return (await this.list()).some((exchange) => exchange.id === exchangeId);
  }

  async get(exchangeId: string): Promise<ExchangeInfoDto | undefined> {
    return (await this.list()).find((exchange) => exchange.id === exchangeId);
  }

  private async build(): Promise<ExchangeInfoDto[]> {
    const ccxt = await loadCcxt();
    const classes = ccxt as unknown as Record<string, new () => CcxtExchangeShape>;
    // An array of ids at run time, though typed as a map of classes.
    const listed: unknown = ccxt.exchanges;
    const ids = Array.isArray(listed) ? (listed as string[]) : Object.keys(ccxt.exchanges);
    return ids.flatMap((id) => {
      const ExchangeClass = classes[id];
      if (typeof ExchangeClass !== 'function') return [];
      const exchange = new ExchangeClass();
      const has = (feature: string) => exchange.has[feature] === true || exchange.has[feature] === 'emulated';
      return [
        {
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
        },
      ];
    });
  }
}
