import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { MarketSimulationService } from '../../market/market-simulation.service';
import { AppConfig } from '../../platform/config/app-config';
import { EventBus } from '../../platform/events/event-bus';
import { Clock } from '../../platform/time/clock';
import '../exchange.events';
import type { ExchangePort } from '../exchange-port';
import { PaperExchange } from './paper-exchange';
import { PaperAccount } from './paper-account.entity';
import { PaperBalance } from './paper-balance.entity';
import { errorMessage } from '../../platform/errors/error-message';

export const DEFAULT_PAPER_ACCOUNT = 'default';

/** Paper accounts (the default one is created with the starting balance on first use) and the matcher. */
@Injectable()
export class PaperExchangeService {
  private readonly logger = new Logger('PaperExchange');
  private matching = false;
  /** Paper account ids by name: accounts are never renamed or removed, so a lookup holds for good. */
  private readonly accountIds = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly simulation: MarketSimulationService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: EventBus,
  ) {}

  /** A paper account as an exchange port for trading: it reports its failures as ExchangeFailure. */
  async port(name = DEFAULT_PAPER_ACCOUNT): Promise<ExchangePort> {
    return this.account(name);
  }

  /**
   * The exchange of a named paper account, created on first use with `startingBalance` (default:
   * PAPER_STARTING_BALANCE) of the quote currency; an existing account keeps what it has.
   */
  async account(name = DEFAULT_PAPER_ACCOUNT, startingBalance?: string): Promise<PaperExchange> {
    const known = this.accountIds.get(name);
    if (known) return this.exchangeFor(known);
    const accounts = this.dataSource.getRepository(PaperAccount);
    let account = await accounts.findOneBy({ name });
    if (!account) {
      account = await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `tradeplane:paper-account:${name}`,
        ]);
        const existing = await manager.findOneBy(PaperAccount, { name });
        if (existing) return existing;
        const created = await manager.save(manager.create(PaperAccount, { name }));
        await manager.insert(PaperBalance, {
          accountId: created.id,
          currency: 'USDT',
          free: startingBalance ?? this.config.paper.startingBalance,
          used: '0',
        });
        return created;
      });
    }
    this.accountIds.set(name, account.id);
    return this.exchangeFor(account.id);
  }

  /** The exchange of a paper account that exists; null for an unknown name (nothing is created). */
  async existing(name: string): Promise<PaperExchange | null> {
    const known = this.accountIds.get(name);
    if (known) return this.exchangeFor(known);
    const account = await this.dataSource.getRepository(PaperAccount).findOneBy({ name });
    if (!account) return null;
    this.accountIds.set(name, account.id);
    return this.exchangeFor(account.id);
  }

  exchangeFor(accountId: string): PaperExchange {
    return new PaperExchange(accountId, this.dataSource, this.simulation.quotes, this.clock, {
      maker: this.config.paper.makerFee,
      taker: this.config.paper.takerFee,
    });
  }

  /** Every second: fill the resting orders the market has reached, in every paper account. */
  @Interval('paper-matcher', 1000)
  async matchAll(): Promise<number> {
    if (this.matching || !this.config.market.simulation) return 0;
    this.matching = true;
    try {
      const accounts = await this.dataSource.getRepository(PaperAccount).find({ select: { id: true } });
      let changed = 0;
      for (const { id } of accounts) {
        changed += await this.exchangeFor(id).matchOpenOrders((order) =>
          this.events.publish('paper.order.changed', { paperAccountId: id, ...order }),
        );
      }
      return changed;
    } catch (error) {
      this.logger.warn(`matching failed: ${errorMessage(error)}`);
      return 0;
    } finally {
      this.matching = false;
    }
  }
}
