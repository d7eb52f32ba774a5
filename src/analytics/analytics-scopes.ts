import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiError } from '../platform/http/api-error';
import type { EquityScope } from './equity-point.entity';
import type { LedgerScope } from '../trading/trade-statistics.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an analytics question is about: its equity series and its trades. */
export interface AnalyticsScope {
  equity: { scope: EquityScope; scopeId: string } | null;
  ledger: LedgerScope | null;
  /** How the answer names it: `bot:<name>`, `exchange:<id>`, `paper:<name>` or `all`. */
  label: string;
  /** The exchange account whose market it trades; null: the simulated market (paper). */
  exchangeAccountId: string | null;
}

/**
 * Reads `botId` and `accountId` (an exchange account's id or a paper account's name): a bot, an
 * account, or neither (every trade; no equity series). Unknown ones are 404s.
 */
@Injectable()
export class AnalyticsScopes {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async resolve(query: { botId?: string; accountId?: string }): Promise<AnalyticsScope> {
    if (query.botId && query.accountId)
      throw ApiError.validation('botId, accountId: ask about a bot or an account, not both');
    if (query.botId) {
      const [bot] = await this.dataSource.query<Array<{ name: string; account_id: string | null }>>(
        'SELECT name, account_id FROM bots WHERE id = $1',
        [query.botId],
      );
      if (!bot) throw ApiError.notFound(`No bot ${query.botId}`);
      return {
        equity: { scope: 'bot', scopeId: query.botId },
        ledger: { botId: query.botId },
        label: `bot:${bot.name}`,
        exchangeAccountId: bot.account_id,
      };
    }
    if (query.accountId) {
      const id = query.accountId;
      if (UUID.test(id)) {
        // An exchange account, or a 3Commas connection (its deals are imported as trades on it).
        const [found] = await this.dataSource.query<Array<{ kind: string }>>(
          `SELECT 'exchange' AS kind FROM exchange_accounts WHERE id = $1
           UNION ALL SELECT '3commas' AS kind FROM three_commas_accounts WHERE id = $1`,
          [id],
        );
        if (found)
          return {
            equity: { scope: 'exchange', scopeId: id },
            ledger: { venue: 'exchange', accountId: id },
            label: `${found.kind}:${id}`,
            // Prices for a 3Commas connection's symbols come from the simulated market.
            exchangeAccountId: found.kind === 'exchange' ? id : null,
          };
      }
      const [paper] = await this.dataSource.query<unknown[]>('SELECT 1 FROM paper_accounts WHERE name = $1', [
        id,
      ]);
      if (!paper) throw ApiError.notFound(`No exchange account or paper account ${id}`);
      return {
        equity: { scope: 'paper', scopeId: id },
        ledger: { venue: 'paper', accountId: id },
        label: `paper:${id}`,
        exchangeAccountId: null,
      };
    }
    return { equity: null, ledger: null, label: 'all', exchangeAccountId: null };
  }
}

/** A scope with an equity series: the one given, or the API's paper account 'default' when none was. */
export function orDefaultAccount(
  scope: AnalyticsScope,
): AnalyticsScope & { equity: NonNullable<AnalyticsScope['equity']>; ledger: LedgerScope } {
  if (scope.equity && scope.ledger) return { ...scope, equity: scope.equity, ledger: scope.ledger };
  return {
    equity: { scope: 'paper', scopeId: 'default' },
    ledger: { venue: 'paper', accountId: 'default' },
    label: 'paper:default',
    exchangeAccountId: null,
  };
}
