import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Repository } from 'typeorm';
import { Principal, PrincipalResolver } from '../platform/access/principal';
import { Role, ROLE_ORDER, roleRank } from '../platform/access/role';
import { TtlCache } from '../platform/cache/ttl-cache';
import { AppConfig } from '../platform/config/app-config';
import { EventBus } from '../platform/events/event-bus';
import { Clock } from '../platform/time/clock';
import './auth.events';
import { ApiKey } from './entities/api-key.entity';
import { AuthSession } from './entities/auth-session.entity';
import { User } from './entities/user.entity';
import { AccessTokenClaims, sha256Hex, TokenService } from './token.service';
import { errorMessage } from '../platform/errors/error-message';

export const API_KEY_PREFIX = 'tp_live_';
const API_KEY_PATTERN = /^tp_live_([A-Za-z0-9]{10})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

type UserState = Pick<User, 'id' | 'username' | 'role' | 'enabled' | 'tokenVersion'> | null;
type KeyRow = Pick<
  ApiKey,
  | 'id'
  | 'name'
  | 'secretHash'
  | 'permissions'
  | 'rateLimit'
  | 'expiresAt'
  | 'enabled'
  | 'revokedAt'
  | 'createdBy'
>;
/**
 * A key's row, the presented key string already proven to match it (so it is hashed once per load),
 * and the principal it gave under its creator's role at the time.
 */
type KeyState = { row: KeyRow; verified?: string; principal?: Principal; ownerRole?: Role } | null;

export function rolesUpTo(role: Role): Role[] {
  return ROLE_ORDER.slice(0, roleRank(role) + 1);
}

export function highestRole(roles: Role[]): Role {
  return roles.reduce((best, role) => (roleRank(role) > roleRank(best) ? role : best), Role.READ_ONLY);
}

function lesserRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

/** A key's roles capped at its creator's current role: a key never holds more than the person behind it. */
export function cappedPermissions(permissions: Role[], ownerRole: Role): Role[] {
  return [...new Set(permissions.map((role) => lesserRole(role, ownerRole)))];
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && value ? value.trim() : undefined;
}

/**
 * Turns credentials into a principal: a user's JWT (checked against the user's current state and
 * session) or an API key (`X-API-Key`, or a `tp_live_` bearer). A key acts for the user who created
 * it: it works only while that user is enabled, with the lesser of its own and that user's role.
 * User, session and key state are read from the database at most once per PRINCIPAL_CACHE_MS per
 * instance; changes made through this instance take effect at once and are published as
 * `auth.access_changed`, so open WebSocket connections are checked again.
 */
@Injectable()
export class AuthPrincipalResolver implements PrincipalResolver {
  private readonly logger = new Logger('Auth');
  private readonly users: TtlCache<string, UserState>;
  private readonly sessions: TtlCache<string, boolean>;
  private readonly keys: TtlCache<string, KeyState>;
  private readonly verifiedTokens: TtlCache<string, AccessTokenClaims | undefined>;
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectRepository(User) private readonly userRepository: Repository<User>,
    @InjectRepository(AuthSession) private readonly sessionRepository: Repository<AuthSession>,
    @InjectRepository(ApiKey) private readonly keyRepository: Repository<ApiKey>,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    config: AppConfig,
  ) {
    const ttl = config.auth.principalCacheMs;
    const now = () => clock.nowMs();
    this.users = new TtlCache(ttl, 10_000, now);
    this.sessions = new TtlCache(ttl, 50_000, now);
    this.keys = new TtlCache(ttl, 10_000, now);
    this.verifiedTokens = new TtlCache(ttl, 50_000, now);
  }

  async resolve(request: FastifyRequest): Promise<Principal | undefined> {
    const headerKey = request.headers['x-api-key'];
    if (typeof headerKey === 'string') return this.resolveApiKey(headerKey);
    const bearer = bearerOf(request);
    if (!bearer) return undefined;
    return bearer.startsWith(API_KEY_PREFIX) ? this.resolveApiKey(bearer) : this.resolveAccessToken(bearer);
  }

  forgetUser(userId: string, role?: Role): void {
    this.users.delete(userId);
    this.events.publish('auth.access_changed', { userId, role });
  }

  forgetSession(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.events.publish('auth.access_changed', { sessionId });
  }

  forgetKey(prefix: string): void {
    this.keys.delete(prefix);
    this.events.publish('auth.access_changed', {});
  }

  resolveToken(token: string): Promise<Principal | undefined> {
    return token.startsWith(API_KEY_PREFIX) ? this.resolveApiKey(token) : this.resolveAccessToken(token);
  }

  private async resolveAccessToken(token: string): Promise<Principal | undefined> {
    const claims =
      this.verifiedTokens.peek(token)?.value ??
      (await this.verifiedTokens.get(token, (t) => this.tokens.verifyAccessToken(t)));
    if (!claims || claims.exp * 1000 <= this.clock.nowMs()) return undefined;
    const user =
      this.users.peek(claims.sub)?.value ?? (await this.users.get(claims.sub, (id) => this.loadUser(id)));
    const sessionRevoked =
      this.sessions.peek(claims.sid)?.value ??
      (await this.sessions.get(claims.sid, (id) => this.loadSessionRevoked(id)));
    if (
      !user ||
      !user.enabled ||
      user.tokenVersion !== claims.tv ||
      user.role !== claims.role ||
      sessionRevoked
    )
      return undefined;
    return {
      kind: 'user',
      id: user.id,
      name: user.username,
      role: user.role,
      permissions: rolesUpTo(user.role),
      sessionId: claims.sid,
    };
  }

  private async resolveApiKey(presented: string): Promise<Principal | undefined> {
    const match = API_KEY_PATTERN.exec(presented);
    if (!match) return undefined;
    const prefix = match[1];
    const state = this.keys.peek(prefix)?.value ?? (await this.keys.get(prefix, (p) => this.loadKey(p)));
    if (!state) return undefined;
    const key = state.row;
    if (state.verified !== presented) {
      const presentedHash = Buffer.from(sha256Hex(presented), 'hex');
      const storedHash = Buffer.from(key.secretHash, 'hex');
      if (presentedHash.length !== storedHash.length || !timingSafeEqual(presentedHash, storedHash))
        return undefined;
      state.verified = presented;
      state.principal = undefined;
    }
    const now = this.clock.nowMs();
    if (!key.enabled || key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt.getTime() <= now))
      return undefined;
    if (key.createdBy === null) return undefined;
    const owner =
      this.users.peek(key.createdBy)?.value ??
      (await this.users.get(key.createdBy, (id) => this.loadUser(id)));
    if (!owner || !owner.enabled) return undefined;
    if (!state.principal || state.ownerRole !== owner.role) {
      const permissions = cappedPermissions(key.permissions, owner.role);
      state.ownerRole = owner.role;
      state.principal = {
        kind: 'apiKey',
        id: key.id,
        name: key.name,
        role: highestRole(permissions),
        permissions,
        rateLimitPerHour: key.rateLimit,
        ownerId: owner.id,
      };
    }
    this.touchLastUsed(key.id, now);
    return state.principal;
  }

  private loadUser(id: string): Promise<UserState> {
    return this.userRepository.findOne({
      where: { id },
      select: { id: true, username: true, role: true, enabled: true, tokenVersion: true },
    });
  }

  private async loadSessionRevoked(id: string): Promise<boolean> {
    const session = await this.sessionRepository.findOne({
      where: { id },
      select: { id: true, revokedAt: true, expiresAt: true },
    });
    return !session || session.revokedAt !== null || session.expiresAt.getTime() <= this.clock.nowMs();
  }

  private async loadKey(prefix: string): Promise<KeyState> {
    const row = await this.keyRepository.findOne({
      where: { prefix },
      select: {
        id: true,
        name: true,
        secretHash: true,
        permissions: true,
        rateLimit: true,
        expiresAt: true,
        enabled: true,
        revokedAt: true,
        createdBy: true,
      },
    });
    return row ? { row } : null;
  }

  /** lastUsed is written at most once a minute per key, never on every request. */
  private touchLastUsed(keyId: string, now: number): void {
    const last = this.lastUsedWritten.get(keyId) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWritten.set(keyId, now);
    this.keyRepository.update({ id: keyId }, { lastUsedAt: new Date(now) }).catch((error: unknown) => {
      this.logger.warn(`lastUsed of key ${keyId} not written: ${errorMessage(error)}`);
    });
  }
}
