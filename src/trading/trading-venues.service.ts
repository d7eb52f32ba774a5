import { Injectable } from '@nestjs/common';
import { ExchangeConnector } from '../exchange/exchange-connector.service';
import type { ExchangePort } from '../exchange/exchange-port';
import { DEFAULT_PAPER_ACCOUNT, PaperExchangeService } from '../exchange/paper/paper-exchange.service';
import type { OrderVenue } from './order.entity';

export interface TradingVenue {
  venue: OrderVenue;
  /** The paper account's name or the exchange account's id, as stored on orders. */
  accountId: string;
  exchange: ExchangePort;
}

/**
 * Where orders go: a paper account (by name: the default one unless a bot has its own), or an exchange
 * account (by id) through ccxt; either way an exchange port whose failures are ExchangeFailure.
 */
@Injectable()
export class TradingVenues {
  constructor(
    private readonly paper: PaperExchangeService,
    private readonly connector: ExchangeConnector,
  ) {}

  async resolve(exchangeAccountId?: string, paperAccount = DEFAULT_PAPER_ACCOUNT): Promise<TradingVenue> {
    if (!exchangeAccountId) {
      return { venue: 'paper', accountId: paperAccount, exchange: await this.paper.port(paperAccount) };
    }
    return {
      venue: 'exchange',
      accountId: exchangeAccountId,
      exchange: await this.connector.port(exchangeAccountId),
    };
  }

  /** A paper account for a bot of its own, funded with `startingBalance` when it is created. */
  async openPaperAccount(name: string, startingBalance?: string): Promise<void> {
    await this.paper.account(name, startingBalance);
  }

  async of(order: { venue: OrderVenue; accountId: string }): Promise<ExchangePort> {
    if (order.venue === 'paper') return this.paper.port(order.accountId);
    return this.connector.port(order.accountId);
  }
}
