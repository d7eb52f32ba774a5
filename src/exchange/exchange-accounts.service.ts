import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditService } from '../auth/audit.service';
import { ActorContext } from '../auth/request-actor';
import { SecretBox } from '../platform/crypto/secret-box';
import { ApiError } from '../platform/http/api-error';
import { CreateExchangeAccountDto, ExchangeAccountDto } from './dto/exchange.dto';
import { ExchangeAccount } from './exchange-account.entity';
import { ExchangeCatalog } from './exchange-catalog.service';

export interface ExchangeCredentials {
  apiKey: string;
  secret: string;
  password?: string;
}

export function toExchangeAccountDto(account: ExchangeAccount): ExchangeAccountDto {
  return {
    id: account.id,
    exchangeId: account.exchangeId,
    label: account.label,
    sandbox: account.sandbox,
    marketType: account.marketType,
    apiKey: `…${account.apiKeyLast4}`,
    hasPassphrase: account.passphraseSealed !== null,
    keyVersion: account.keyVersion,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

/** Exchange accounts: validated against ccxt's list, credentials sealed at rest and opened only to trade. */
@Injectable()
export class ExchangeAccountsService {
  constructor(
    @InjectRepository(ExchangeAccount) private readonly accounts: Repository<ExchangeAccount>,
    private readonly catalog: ExchangeCatalog,
    private readonly secrets: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async list(limit: number, offset: number): Promise<{ items: ExchangeAccount[]; total: number }> {
    const [items, total] = await this.accounts.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async get(id: string): Promise<ExchangeAccount> {
    // Ids are uuids: anything else names no account (and must not reach a uuid column as text).
    const account = isUUID(id) ? await this.accounts.findOneBy({ id }) : null;
    if (!account) throw ApiError.notFound(`No exchange account ${id}`);
    return account;
  }

  async create(dto: CreateExchangeAccountDto, context: ActorContext): Promise<ExchangeAccount> {
    const exchange = await this.catalog.get(dto.exchangeId);
    if (!exchange)
      throw ApiError.validation(`exchangeId: ${dto.exchangeId} is not an exchange ccxt supports`);
    const marketType = dto.marketType ?? 'spot';
    if (!exchange[marketType])
      throw ApiError.validation(`marketType: ${exchange.name} has no ${marketType} market`);
    if (dto.sandbox && !exchange.sandbox)
      throw ApiError.validation(`sandbox: ${exchange.name} has no sandbox`);
    if (exchange.requiresPassphrase && !dto.passphrase)
      throw ApiError.validation(`passphrase: ${exchange.name} needs a passphrase`);
    if (await this.accounts.existsBy({ label: dto.label }))
      throw ApiError.conflict(`An account is already labelled ${dto.label}`);
    const id = randomUUID();
    const account = await this.accounts.save(
      this.accounts.create({
        id,
        exchangeId: dto.exchangeId,
        label: dto.label,
        sandbox: dto.sandbox ?? false,
        marketType,
        apiKeySealed: this.secrets.seal(dto.apiKey, id),
        secretSealed: this.secrets.seal(dto.secret, id),
        passphraseSealed: dto.passphrase ? this.secrets.seal(dto.passphrase, id) : null,
        apiKeyLast4: dto.apiKey.slice(-4),
        keyVersion: this.secrets.keyVersion,
        createdBy: context.actor.kind === 'user' ? context.actor.id : null,
      }),
    );
    await this.audit.record({
      action: 'exchange_account.create',
      result: 'success',
      ...context,
      target: { type: 'exchangeAccount', id, name: dto.label },
      details: { exchangeId: dto.exchangeId, sandbox: account.sandbox, marketType },
    });
    return account;
  }

  async remove(id: string, context: ActorContext): Promise<void> {
    const account = await this.get(id);
    await this.accounts.delete({ id });
    await this.audit.record({
      action: 'exchange_account.delete',
      result: 'success',
      ...context,
      target: { type: 'exchangeAccount', id, name: account.label },
      details: { exchangeId: account.exchangeId },
    });
  }

  async recordSync(id: string, at: Date): Promise<void> {
    await this.accounts.update({ id }, { lastSyncAt: at });
  }

  /** The plaintext credentials, for the exchange adapter only; throws when a stored value was altered. */
  async credentials(id: string): Promise<ExchangeCredentials> {
    return this.credentialsOf(await this.get(id));
  }

  credentialsOf(account: ExchangeAccount): ExchangeCredentials {
    return {
      apiKey: this.secrets.open(account.apiKeySealed, account.id),
      secret: this.secrets.open(account.secretSealed, account.id),
      ...(account.passphraseSealed
        ? { password: this.secrets.open(account.passphraseSealed, account.id) }
        : {}),
    };
  }
}
