import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Clock } from '../platform/time/clock';
import { ExchangeAccountHealthDto } from './dto/account-health.dto';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { loadCcxt } from './exchange-catalog.service';
import { ExchangeConnector } from './exchange-connector.service';
import { toApiError } from './exchange-errors';

/** Checks an exchange account by really calling its exchange: balance, account type, trading rights. */
@Injectable()
export class ExchangeAccountHealthService {
  constructor(
    private readonly connector: ExchangeConnector,
    private readonly accounts: ExchangeAccountsService,
    private readonly clock: Clock,
  ) {}

  async check(accountId: string): Promise<ExchangeAccountHealthDto> {
    const { account, exchange } = await this.connector.connect(accountId);
    const started = performance.now();
    const base = { accountId: account.id, exchangeId: account.exchangeId, label: account.label };
    try {
      const status = await exchange.accountStatus(account.marketType);
      const answeredAt = new Date(exchange.lastSyncMs);
      await this.accounts.recordSync(account.id, answeredAt);
      return {
        ...base,
        connected: true,
        accountType: status.accountType,
        tradingEnabled: status.tradingEnabled,
        balance: status.balances
          .filter((balance) => Number(balance.total) !== 0)
          .map((balance) => ({
            currency: balance.currency,
            free: Number(balance.free),
            used: Number(balance.used),
            total: Number(balance.total),
          })),
        lastSync: answeredAt.toISOString(),
        latencyMs: Math.round(performance.now() - started),
        error: null,
        checkedAt: new Date(this.clock.nowMs()).toISOString(),
      };
    } catch (error) {
      const apiError = toApiError(error, await loadCcxt());
      return {
        ...base,
        connected: false,
        accountType: null,
        tradingEnabled: null,
        balance: [],
        lastSync: account.lastSyncAt?.toISOString() ?? null,
        latencyMs: Math.round(performance.now() - started),
        error: { code: apiError.code, message: apiError.message },
        checkedAt: new Date(this.clock.nowMs()).toISOString(),
      };
    }
  }
}
