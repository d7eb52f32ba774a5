import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppConfig } from '../platform/config/app-config';
import { Role } from '../platform/access/role';
import { Clock } from '../platform/time/clock';

export const TOKEN_ISSUER = 'tradeplane';
export const TOKEN_AUDIENCE = 'tradeplane-api';

export interface AccessTokenClaims {
  sub: string;
  role: Role;
  /** Session (refresh-token family) id. */
  sid: string;
  /** The user's token version when issued. */
  tv: number;
  jti: string;
  exp: number;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Access tokens: HS256 JWTs, algorithm pinned on verify. Refresh tokens: opaque, stored hashed. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get accessTokenTtlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  issueAccessToken(userId: string, role: Role, sessionId: string, tokenVersion: number): Promise<string> {
    // Issued and checked on the injected clock, like sessions and keys, so all expiries agree.
    return this.jwt.signAsync(
      { role, sid: sessionId, tv: tokenVersion, iat: Math.floor(this.clock.nowMs() / 1000) },
      {
        subject: userId,
        jwtid: randomUUID(),
        expiresIn: this.accessTokenTtlSeconds,
        algorithm: 'HS256',
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      },
    );
  }

  /** The claims of a valid token, or undefined for anything forged, expired or malformed. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        clockTimestamp: Math.floor(this.clock.nowMs() / 1000),
      });
      const wellFormed =
        typeof claims.sub === 'string' &&
        typeof claims.sid === 'string' &&
        typeof claims.tv === 'number' &&
        Object.values(Role).includes(claims.role);
      return wellFormed ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  get refreshTtlMs(): number {
    return this.config.auth.refreshTokenTtlDays * 86_400_000;
  }

  newRefreshToken(): { token: string; hash: string; expiresAt: Date } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: sha256Hex(token), expiresAt: new Date(this.clock.nowMs() + this.refreshTtlMs) };
  }
}
