import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomInt } from 'node:crypto';
import { Between, IsNull, Repository } from 'typeorm';
import { roleSatisfies } from '../platform/access/role';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { Clock } from '../platform/time/clock';
import { AuditService } from './audit.service';
import {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  UpdateApiKeyDto,
} from './dto/api-key.dto';
import { ApiKey } from './entities/api-key.entity';
import { API_KEY_PREFIX, AuthPrincipalResolver } from './principal-resolver';
import { sha256Hex } from './token.service';
import { ActorContext } from './request-actor';

export const DEFAULT_KEY_RATE_LIMIT = 1000;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

interface NewSecret {
  apiKey: string;
  prefix: string;
  secretHash: string;
  last4: string;
}

/** `tp_live_` + 10-character public prefix + `_` + 256 random bits (base64url). */
function newSecret(): NewSecret {
  const prefix = randomBase62(10);
  const apiKey = `${API_KEY_PREFIX}${prefix}_${randomBytes(32).toString('base64url')}`;
  return { apiKey, prefix, secretHash: sha256Hex(apiKey), last4: apiKey.slice(-4) };
}

export function toApiKeyResponse(key: ApiKey): ApiKeyResponseDto {
  return {
    id: key.id,
    keyId: key.id,
    name: key.name,
    permissions: key.permissions,
    rateLimit: key.rateLimit,
    createdAt: key.createdAt.toISOString(),
    lastUsed: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    enabled: key.enabled,
    maskedKey: `${API_KEY_PREFIX}${key.prefix}_…${key.last4}`,
  };
}

/** API keys: created by a SUPER_ADMIN, never with more than the creator holds, shown in full once. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly audit: AuditService,
    private readonly principals: AuthPrincipalResolver,
    private readonly clock: Clock,
  ) {}

  async create(dto: CreateApiKeyDto, context: ActorContext): Promise<CreatedApiKeyResponseDto> {
    const permissions = [...new Set(dto.permissions)];
    const tooHigh = permissions.filter((role) => !roleSatisfies(context.actor.role, role));
    if (tooHigh.length > 0) {
      throw new ApiError(
        403,
        ErrorCode.AUTHORIZATION_ERROR,
        `A key cannot hold more than its creator: ${tooHigh.join(', ')}`,
      );
    }
    const secret = newSecret();
    const key = await this.keys.save(
      this.keys.create({
        name: dto.name,
        prefix: secret.prefix,
        secretHash: secret.secretHash,
        last4: secret.last4,
        permissions,
        rateLimit: dto.rateLimit ?? DEFAULT_KEY_RATE_LIMIT,
        expiresAt: dto.expiresDays ? new Date(this.clock.nowMs() + dto.expiresDays * 86_400_000) : null,
        enabled: true,
        // A key made with a key acts for the same person as the key that made it.
        createdBy: context.actor.kind === 'user' ? context.actor.id : (context.actor.ownerId ?? null),
      }),
    );
    await this.audit.record({
      action: 'key.create',
      result: 'success',
      ...context,
      target: { type: 'apiKey', id: key.id, name: key.name },
      details: { permissions, rateLimit: key.rateLimit, expiresAt: key.expiresAt?.toISOString() ?? null },
    });
    return { ...toApiKeyResponse(key), apiKey: secret.apiKey };
  }

  async list(limit: number, offset: number): Promise<{ items: ApiKey[]; total: number }> {
    const [items, total] = await this.keys.findAndCount({
      where: { revokedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  /** Keys in use (not revoked, enabled) whose expiry falls between now and `before`. */
  expiringBefore(before: Date): Promise<ApiKey[]> {
    return this.keys.find({
      where: { revokedAt: IsNull(), enabled: true, expiresAt: Between(this.clock.now(), before) },
      order: { expiresAt: 'ASC' },
    });
  }

  async get(id: string): Promise<ApiKey> {
    const key = await this.keys.findOneBy({ id, revokedAt: IsNull() });
    if (!key) throw ApiError.notFound(`No API key ${id}`);
    return key;
  }

  async update(id: string, dto: UpdateApiKeyDto): Promise<ApiKey> {
    const key = await this.get(id);
    if (dto.name !== undefined) key.name = dto.name;
    if (dto.enabled !== undefined) key.enabled = dto.enabled;
    if (dto.rateLimit !== undefined) key.rateLimit = dto.rateLimit;
    const saved = await this.keys.save(key);
    this.principals.forgetKey(key.prefix);
    return saved;
  }

  async revoke(id: string): Promise<ApiKey> {
    const key = await this.get(id);
    key.enabled = false;
    key.revokedAt = this.clock.now();
    const saved = await this.keys.save(key);
    this.principals.forgetKey(key.prefix);
    return saved;
  }

  /** A new secret for the same key id; the old secret stops working at once. */
  async rotate(id: string): Promise<CreatedApiKeyResponseDto> {
    const key = await this.get(id);
    const oldPrefix = key.prefix;
    const secret = newSecret();
    key.prefix = secret.prefix;
    key.secretHash = secret.secretHash;
    key.last4 = secret.last4;
    key.rotatedAt = this.clock.now();
    const saved = await this.keys.save(key);
    this.principals.forgetKey(oldPrefix);
    return { ...toApiKeyResponse(saved), apiKey: secret.apiKey };
  }
}
