import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditService } from '../auth/audit.service';
import { ActorContext } from '../auth/request-actor';
import { SecretBox } from '../platform/crypto/secret-box';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import {
  CreateThreeCommasAccountDto,
  ThreeCommasAccountDto,
  ThreeCommasBotDto,
  ThreeCommasBotListDto,
  ThreeCommasBotQueryDto,
  ThreeCommasDealDto,
  ThreeCommasDealListDto,
  ThreeCommasDealQueryDto,
  ThreeCommasHealthDto,
} from './dto/three-commas.dto';
import { ThreeCommasConnection } from './three-commas-account.entity';
import {
  BotAction,
  fromThreeCommasPair,
  ThreeCommasBot,
  ThreeCommasClient,
  ThreeCommasDeal,
  ThreeCommasOptions,
  threeCommasApiError,
  toThreeCommasPair,
} from './three-commas-client';

export const THREE_COMMAS_OPTIONS = 'THREE_COMMAS_OPTIONS';

/** How long a request from an API caller may wait for our 3Commas request budget. */
const INTERACTIVE_WAIT_MS = 5_000;

export function toThreeCommasAccountDto(connection: ThreeCommasConnection): ThreeCommasAccountDto {
  return {
    id: connection.id,
    label: connection.label,
    apiKey: `…${connection.apiKeyLast4}`,
    keyVersion: connection.keyVersion,
    lastSync: connection.lastSyncAt?.toISOString() ?? null,
    createdAt: connection.createdAt.toISOString(),
  };
}

function amount(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function toBotDto(bot: ThreeCommasBot): ThreeCommasBotDto {
  return {
    id: bot.id,
    exchangeAccountId: bot.account_id,
    name: bot.name,
    enabled: bot.is_enabled,
    symbols: (bot.pairs ?? []).map(fromThreeCommasPair),
    strategy: bot.strategy ?? null,
    maxSafetyOrders: bot.max_safety_orders ?? null,
    activeDeals: bot.active_deals_count ?? null,
  };
}

export function dealFinished(deal: ThreeCommasDeal): boolean {
  return deal['finished?'] === true;
}

function toDealDto(deal: ThreeCommasDeal): ThreeCommasDealDto {
  return {
    id: deal.id,
    botId: deal.bot_id,
    botName: deal.bot_name ?? null,
    symbol: fromThreeCommasPair(deal.pair),
    status: deal.status,
    finished: dealFinished(deal),
    strategy: deal.strategy ?? null,
    safetyOrders: deal.completed_safety_orders_count ?? 0,
    boughtAmount: amount(deal.bought_amount),
    boughtAveragePrice: amount(deal.bought_average_price),
    soldAmount: amount(deal.sold_amount),
    soldAveragePrice: amount(deal.sold_average_price),
    profit: amount(deal.final_profit),
    createdAt: deal.created_at,
    closedAt: deal.closed_at ?? null,
  };
}

/**
 * 3Commas connections (credentials sealed at rest) and what the API shows of them: health, bots,
 * deals and the bot actions. One client per connection, so each API key keeps its own pacing.
 */
@Injectable()
export class ThreeCommasService {
  private readonly clients = new Map<string, { version: string; client: ThreeCommasClient }>();

  constructor(
    @InjectRepository(ThreeCommasConnection) private readonly connections: Repository<ThreeCommasConnection>,
    private readonly secrets: SecretBox,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Optional() @Inject(THREE_COMMAS_OPTIONS) private readonly options: ThreeCommasOptions = {},
  ) {}

  async list(limit: number, offset: number): Promise<{ items: ThreeCommasConnection[]; total: number }> {
    const [items, total] = await this.connections.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async get(id: string): Promise<ThreeCommasConnection> {
    const connection = isUUID(id) ? await this.connections.findOneBy({ id }) : null;
    if (!connection) throw ApiError.notFound(`No 3Commas connection ${id}`);
    return connection;
  }

  /** The named connection, or the only one when none is named. */
  async resolve(id: string | undefined): Promise<ThreeCommasConnection> {
    if (id) return this.get(id);
    const all = await this.connections.find({ take: 2, order: { createdAt: 'ASC' } });
    if (all.length === 0) throw ApiError.notFound('No 3Commas connection; add one first');
    if (all.length > 1)
      throw ApiError.validation('accountId: required when there are several 3Commas connections');
    return all[0];
  }

  async create(dto: CreateThreeCommasAccountDto, context: ActorContext): Promise<ThreeCommasConnection> {
    if (await this.connections.existsBy({ label: dto.label }))
      throw ApiError.conflict(`A 3Commas connection is already labelled ${dto.label}`);
    const id = randomUUID();
    const connection = await this.connections.save(
      this.connections.create({
        id,
        label: dto.label,
        apiKeySealed: this.secrets.seal(dto.apiKey, id),
        secretSealed: this.secrets.seal(dto.secret, id),
        apiKeyLast4: dto.apiKey.slice(-4),
        keyVersion: this.secrets.keyVersion,
        createdBy: context.actor.kind === 'user' ? context.actor.id : null,
      }),
    );
    await this.audit.record({
      action: 'three_commas_account.create',
      result: 'success',
      ...context,
      target: { type: 'threeCommasAccount', id, name: dto.label },
    });
    return connection;
  }

  async remove(id: string, context: ActorContext): Promise<void> {
    const connection = await this.get(id);
    await this.connections.delete({ id });
    this.clients.delete(id);
    await this.audit.record({
      action: 'three_commas_account.delete',
      result: 'success',
      ...context,
      target: { type: 'threeCommasAccount', id, name: connection.label },
    });
  }

  client(connection: ThreeCommasConnection): ThreeCommasClient {
    const version = `${connection.apiKeySealed}|${connection.secretSealed}`;
    const cached = this.clients.get(connection.id);
    if (cached?.version === version) return cached.client;
    const client = new ThreeCommasClient(
      this.secrets.open(connection.apiKeySealed, connection.id),
      this.secrets.open(connection.secretSealed, connection.id),
      this.options,
    );
    this.clients.set(connection.id, { version, client });
    return client;
  }

  async recordSync(connection: ThreeCommasConnection): Promise<void> {
    connection.lastSyncAt = new Date(this.clock.nowMs());
    await this.connections.update({ id: connection.id }, { lastSyncAt: connection.lastSyncAt });
  }

  /** Real calls: the linked exchange accounts (their USD value) and the enabled bots. */
  async health(accountId: string | undefined): Promise<ThreeCommasHealthDto> {
    const connection = await this.resolve(accountId);
    const started = performance.now();
    const base = { accountId: connection.id, label: connection.label };
    try {
      const client = this.client(connection);
      const accounts = await client.accounts(INTERACTIVE_WAIT_MS);
      let activeBots = 0;
      for (let offset = 0; ; offset += 100) {
        const page = await client.bots({ limit: 100, offset, scope: 'enabled' }, INTERACTIVE_WAIT_MS);
        activeBots += page.length;
        if (page.length < 100) break;
      }
      await this.recordSync(connection);
      const exchangeAccounts = accounts.map((account) => ({
        id: account.id,
        name: account.name,
        exchange: account.market_code ?? account.exchange_name ?? null,
        usdAmount: amount(account.usd_amount),
      }));
      return {
        ...base,
        connected: true,
        exchangeAccounts,
        balance: exchangeAccounts.reduce((sum, account) => sum + (account.usdAmount ?? 0), 0),
        activeBots,
        lastSync: connection.lastSyncAt?.toISOString() ?? null,
        latencyMs: Math.round(performance.now() - started),
        error: null,
        checkedAt: new Date(this.clock.nowMs()).toISOString(),
      };
    } catch (error) {
      const apiError = threeCommasApiError(error);
      return {
        ...base,
        connected: false,
        exchangeAccounts: [],
        balance: null,
        activeBots: null,
        lastSync: connection.lastSyncAt?.toISOString() ?? null,
        latencyMs: Math.round(performance.now() - started),
        error: { code: apiError.code, message: apiError.message },
        checkedAt: new Date(this.clock.nowMs()).toISOString(),
      };
    }
  }

  async bots(query: ThreeCommasBotQueryDto): Promise<ThreeCommasBotListDto> {
    const connection = await this.resolve(query.accountId);
    const bots = await this.calling(() =>
      this.client(connection).bots(
        { limit: query.limit, offset: query.offset, ...(query.scope ? { scope: query.scope } : {}) },
        INTERACTIVE_WAIT_MS,
      ),
    );
    await this.recordSync(connection);
    return {
      items: bots.map(toBotDto),
      limit: query.limit,
      offset: query.offset,
      hasMore: bots.length === query.limit,
    };
  }

  async deals(query: ThreeCommasDealQueryDto): Promise<ThreeCommasDealListDto> {
    const connection = await this.resolve(query.accountId);
    const deals = await this.calling(() =>
      this.client(connection).deals(
        { scope: query.scope, botId: query.botId, limit: query.limit, offset: query.offset },
        INTERACTIVE_WAIT_MS,
      ),
    );
    await this.recordSync(connection);
    return {
      items: deals.map(toDealDto),
      limit: query.limit,
      offset: query.offset,
      hasMore: deals.length === query.limit,
    };
  }

  async botAction(
    botId: number,
    action: BotAction,
    accountId: string | undefined,
    symbol?: string,
  ): Promise<ThreeCommasBotDto> {
    const connection = await this.resolve(accountId);
    const bot = await this.calling(() =>
      this.client(connection).botAction(
        botId,
        action,
        symbol ? toThreeCommasPair(symbol) : undefined,
        INTERACTIVE_WAIT_MS,
      ),
    );
    await this.recordSync(connection);
    return toBotDto(bot);
  }

  private async calling<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw threeCommasApiError(error);
    }
  }
}
