import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { MarketDataService } from '../market/market-data.service';
import { MarketVenue } from '../market/market-venue';
import { CcxtExchange, ReadRetry } from './ccxt-exchange';
import { createCcxtInstance } from './ccxt-instance';
import { ExchangeAccount } from './exchange-account.entity';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { ExchangeTraffic } from './exchange-traffic';
import { loadCcxt } from './exchange-catalog.service';
import type { ExchangePort } from './exchange-port';
import { reportingFailures, toApiError } from './exchange-errors';

export const EXCHANGE_CONNECTOR_OPTIONS = 'EXCHANGE_CONNECTOR_OPTIONS';

/** Set by code only (createApp's options), never from configuration or a request. */
export interface ExchangeConnectorOptions {
  /** Tests: every API call to an exchange (by ccxt id) goes to this origin, a loopback fake of it. */
  redirectApiTo?: Readonly<Record<string, string>>;
  /**
   * Tests: the spacing ccxt keeps between requests (its rate limiter), instead of the exchange's own
   * (Binance: 50 ms per unit of request weight), which a loopback fake does not need.
   */
  rateLimitMs?: number;
  /**
   * Live data over the exchanges' WebSockets (ccxt.pro): on by default, off by default when API calls
   * go to a fake (a fake without a WebSocket side); a test of the streams turns them on.
   */
  streams?: boolean;
  /** Per-request timeout of ccxt (its default is 10 s). */
  timeoutMs?: number;
  retry?: ReadRetry;
}

export interface ConnectedAccount {
  account: ExchangeAccount;
  exchange: CcxtExchange;
}

/**
 * The live exchange of an exchange account: one ccxt instance per account, rebuilt when the account
 * changes; accounts on the same exchange, network and market type share one copy of the markets.
 */
@Injectable()
export class ExchangeConnector implements OnModuleInit {
  private readonly instances = new Map<string, { version: string; exchange: CcxtExchange }>();
  private readonly marketOwners = new Map<string, CcxtExchange>();

  constructor(
    private readonly accounts: ExchangeAccountsService,
    private readonly marketData: MarketDataService,
    private readonly traffic: ExchangeTraffic,
    @Optional() @Inject(EXCHANGE_CONNECTOR_OPTIONS) private readonly options: ExchangeConnectorOptions = {},
  ) {}

  onModuleInit(): void {
    this.marketData.useVenues((accountId) => this.venue(accountId));
  }

  /** An exchange account as an exchange port for trading: failures arrive as ExchangeFailure. */
  async port(accountId: string): Promise<ExchangePort> {
    const { exchange } = await this.connect(accountId);
    return reportingFailures<ExchangePort>(exchange, await loadCcxt());
  }

  async connect(accountId: string): Promise<ConnectedAccount> {
    const account = await this.accounts.get(accountId);
    // What the ccxt instance is built from: a change to any of it builds a new one.
    const version = [
      account.exchangeId,
      account.sandbox,
      account.marketType,
      account.apiKeySealed,
      account.secretSealed,
      account.passphraseSealed,
    ].join('|');
    const cached = this.instances.get(account.id);
    if (cached?.version === version) return { account, exchange: cached.exchange };

    const ccxt = await loadCcxt();
    const instance = createCcxtInstance(
      ccxt,
      {
        exchangeId: account.exchangeId,
        credentials: this.accounts.credentialsOf(account),
        sandbox: account.sandbox,
        marketType: account.marketType,
      },
      this.options.redirectApiTo?.[account.exchangeId],
      this.options.rateLimitMs,
    );
    if (this.options.timeoutMs) instance.timeout = this.options.timeoutMs;
    this.traffic.watch(instance, account.id);
    const exchange = new CcxtExchange(instance, ccxt, this.options.retry);
    const marketsKey = `${account.exchangeId}|${account.sandbox}|${account.marketType}`;
    const owner = this.marketOwners.get(marketsKey);
    if (owner) exchange.useMarketsOf(owner);
    else this.marketOwners.set(marketsKey, exchange);
    this.instances.set(account.id, { version, exchange });
    return { account, exchange };
  }

  /** The account's exchange as a market data source; failures arrive as API errors. */
  private async venue(accountId: string): Promise<MarketVenue> {
    const { account, exchange } = await this.connect(accountId);
    const ccxt = await loadCcxt();
    const mapped = <T>(call: () => Promise<T>): Promise<T> =>
      call().catch((error: unknown) => {
        throw toApiError(error, ccxt);
      });
    return {
      exchangeId: account.exchangeId,
      candleKey: account.sandbox ? `${account.exchangeId}:sandbox` : account.exchangeId,
      symbols: () => mapped(async () => new Set((await exchange.markets()).map((market) => market.symbol))),
      ticker: (symbol) => mapped(() => exchange.ticker(symbol)),
      orderBook: (symbol, depth) => mapped(() => exchange.orderBook(symbol, depth)),
      ohlcv: (symbol, timeframe, since, limit) =>
        mapped(() => exchange.ohlcv(symbol, timeframe, since, limit)),
    };
  }
}
