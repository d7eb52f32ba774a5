import type { ClientContext } from '../platform/access/principal';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { Principal } from '../platform/access/principal';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { EventBus } from '../platform/events/event-bus';
import { Clock } from '../platform/time/clock';
import './auth.events';
import { AuditService } from './audit.service';
import { LoginDto, MeResponseDto, TokenResponseDto } from './dto/auth.dto';
import { AuthSession } from './entities/auth-session.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { AuthPrincipalResolver } from './principal-resolver';
import { sha256Hex, TokenService } from './token.service';

export const LOCKOUT = { failures: 5, windowMs: 15 * 60_000, durationMs: 15 * 60_000 };

/** Where a sign-in comes from (the audit records it). */
export type ClientInfo = Pick<ClientContext, 'ip'> & Partial<Pick<ClientContext, 'userAgent'>>;

function invalidCredentials(): ApiError {
  return new ApiError(401, ErrorCode.AUTHENTICATION_ERROR, 'Invalid username or password');
}

function invalidRefresh(): ApiError {
  return new ApiError(
    401,
    ErrorCode.AUTHENTICATION_ERROR,
    'The refresh token is invalid, expired or already used',
  );
}

/**
 * Sign-in, token refresh with rotation and reuse detection, sign-out. A username is locked for 15
 * minutes after 5 failed logins within 15 minutes, whatever address they come from.
 */
@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(AuthSession) private readonly sessions: Repository<AuthSession>,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly principals: AuthPrincipalResolver,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  async login(dto: LoginDto, client: ClientInfo): Promise<TokenResponseDto> {
    const usernameKey = dto.username.toLowerCase();
    const retryAfterMs = await this.lockoutRemainingMs(usernameKey);
    const target = { type: 'user', name: usernameKey };
    if (retryAfterMs > 0) {
      await this.audit.record({
        action: 'auth.login',
        result: 'denied',
        actorName: dto.username,
        ip: client.ip,
        target,
        details: { reason: 'locked' },
      });
      this.announceLock(usernameKey, client.ip, retryAfterMs);
      const retryAfter = Math.ceil(retryAfterMs / 1000);
      throw new ApiError(
        429,
        ErrorCode.RATE_LIMITED,
        `Too many failed logins for this username; try again in ${retryAfter} s`,
        undefined,
        { retryAfter, limit: LOCKOUT.failures, reset: Math.ceil((this.clock.nowMs() + retryAfterMs) / 1000) },
        { 'Retry-After': String(retryAfter) },
      );
    }
    const user = await this.users.findOneBy({ usernameKey });
    const passwordOk = user
      ? await this.hasher.verify(dto.password, user.passwordHash)
      : await this.hasher.verifyDecoy(dto.password);
    if (!user || !passwordOk || !user.enabled) {
      const reason = !user ? 'unknown_user' : !passwordOk ? 'wrong_password' : 'disabled';
      await this.audit.record({
        action: 'auth.login',
        result: 'failure',
        actorName: dto.username,
        ip: client.ip,
        target,
        details: { reason },
      });
      const lockedForMs = await this.lockoutRemainingMs(usernameKey);
      if (lockedForMs > 0) this.announceLock(usernameKey, client.ip, lockedForMs);
      throw invalidCredentials();
    }
    if (this.hasher.needsRehash(user.passwordHash))
      await this.users.update({ id: user.id }, { passwordHash: await this.hasher.hash(dto.password) });
    const session = await this.sessions.save(
      this.sessions.create({
        userId: user.id,
        expiresAt: new Date(this.clock.nowMs() + this.tokens.refreshTtlMs),
        lastUsedAt: this.clock.now(),
        ip: client.ip,
        userAgent: client.userAgent?.slice(0, 256) ?? null,
      }),
    );
    const response = await this.issueTokens(user, session.id);
    const principal: Principal = {
      kind: 'user',
      id: user.id,
      name: user.username,
      role: user.role,
      permissions: [],
    };
    await this.audit.record({
      action: 'auth.login',
      result: 'success',
      actor: principal,
      ip: client.ip,
      target: { ...target, id: user.id },
      details: { sessionId: session.id },
    });
    return response;
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenResponseDto> {
    const stored = await this.refreshTokens.findOne({
      where: { tokenHash: sha256Hex(refreshToken) },
      relations: { session: true },
    });
    if (!stored?.session) throw invalidRefresh();
    const session = stored.session;
    // Claim the token atomically: of two uses, exactly one wins; the other is a reuse.
    const claimed = await this.refreshTokens.update(
      { id: stored.id, usedAt: IsNull() },
      { usedAt: this.clock.now() },
    );
    if (!claimed.affected) {
      await this.revokeSession(session.id, 'refresh_reuse');
      await this.audit.record({
        action: 'auth.refresh_reuse',
        result: 'denied',
        ip: client.ip,
        target: { type: 'session', id: session.id },
        details: { userId: session.userId },
      });
      throw invalidRefresh();
    }
    const now = this.clock.nowMs();
    const user = await this.users.findOneBy({ id: session.userId });
    if (
      session.revokedAt ||
      session.expiresAt.getTime() <= now ||
      stored.expiresAt.getTime() <= now ||
      !user?.enabled
    ) {
      throw invalidRefresh();
    }
    await this.sessions.update({ id: session.id }, { lastUsedAt: this.clock.now() });
    return this.issueTokens(user, session.id);
  }

  async logout(principal: Principal, client: ClientInfo): Promise<void> {
    if (principal.kind !== 'user' || !principal.sessionId) {
      throw ApiError.validation('An API key has no session to end; disable or revoke the key instead');
    }
    await this.revokeSession(principal.sessionId, 'logout');
    await this.audit.record({
      action: 'auth.logout',
      result: 'success',
      actor: principal,
      ip: client.ip,
      target: { type: 'session', id: principal.sessionId },
    });
  }

  me(principal: Principal): MeResponseDto {
    return {
      kind: principal.kind,
      id: principal.id,
      name: principal.name,
      role: principal.role,
      permissions: principal.permissions,
      ...(principal.sessionId ? { sessionId: principal.sessionId } : {}),
    };
  }

  private async issueTokens(user: User, sessionId: string): Promise<TokenResponseDto> {
    const refresh = this.tokens.newRefreshToken();
    await this.refreshTokens.insert({ sessionId, tokenHash: refresh.hash, expiresAt: refresh.expiresAt });
    return {
      accessToken: await this.tokens.issueAccessToken(user.id, user.role, sessionId, user.tokenVersion),
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlSeconds,
      refreshToken: refresh.token,
      refreshExpiresIn: Math.floor(this.tokens.refreshTtlMs / 1000),
    };
  }

  private async revokeSession(sessionId: string, reason: string): Promise<void> {
    await this.sessions.update(
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    this.principals.forgetSession(sessionId);
  }

  /**
   * How long the username stays locked: 15 minutes from the fifth failure of a run of five failures
   * within 15 minutes (a successful login ends the run; refused attempts while locked do not count).
   */
  private announceLock(username: string, ip: string, lockedForMs: number): void {
    this.events.publish('auth.login_locked', {
      username,
      ip,
      lockedUntil: new Date(this.clock.nowMs() + lockedForMs).toISOString(),
      failures: LOCKOUT.failures,
    });
  }

  private async lockoutRemainingMs(usernameKey: string): Promise<number> {
    const now = this.clock.nowMs();
    const attempts = await this.audit.recentLogins(
      usernameKey,
      new Date(now - LOCKOUT.windowMs - LOCKOUT.durationMs),
      50,
    );
    const failures: number[] = [];
    for (const attempt of attempts) {
      if (attempt.result === 'success') break;
      if (attempt.result === 'failure') failures.push(attempt.at.getTime());
    }
    // failures are newest first; find a run of 5 within the window whose lock has not yet expired.
    for (let newest = 0; newest + LOCKOUT.failures - 1 < failures.length; newest++) {
      const fifth = failures[newest];
      const first = failures[newest + LOCKOUT.failures - 1];
      if (fifth - first <= LOCKOUT.windowMs && fifth + LOCKOUT.durationMs > now)
        return fifth + LOCKOUT.durationMs - now;
    }
    return 0;
  }
}
