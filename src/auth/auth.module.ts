import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PRINCIPAL_RESOLVER } from '../platform/access/principal';
import { AppConfig } from '../platform/config/app-config';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ApiKey } from './entities/api-key.entity';
import { AuditEntry } from './entities/audit-entry.entity';
import { AuthSession } from './entities/auth-session.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from './entities/user.entity';
import { FirstAdminService } from './first-admin.service';
import { PasswordHasher } from './password-hasher';
import { AuthPrincipalResolver } from './principal-resolver';
import { TokenService, TOKEN_AUDIENCE, TOKEN_ISSUER } from './token.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Identity and access: users, sign-in and tokens, API keys, the audit trail. Global so that the
 * platform's access guard finds the principal resolver, and every module can write audit lines.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([User, AuthSession, RefreshToken, ApiKey, AuditEntry]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
        verifyOptions: { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
      }),
    }),
  ],
  controllers: [AuthController, UsersController, ApiKeysController, AuditController],
  providers: [
    PasswordHasher,
    TokenService,
    AuthPrincipalResolver,
    { provide: PRINCIPAL_RESOLVER, useExisting: AuthPrincipalResolver },
    AuditService,
    AuditInterceptor,
    AuthService,
    UsersService,
    ApiKeysService,
    FirstAdminService,
  ],
  exports: [PRINCIPAL_RESOLVER, AuditService, ApiKeysService],
})
export class AuthModule {}
