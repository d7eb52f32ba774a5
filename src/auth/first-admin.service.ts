import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../platform/config/app-config';
import { UsersService } from './users.service';

/**
 * On a start with no users, creates the first SUPER_ADMIN from ADMIN_USERNAME / ADMIN_PASSWORD. Without
 * ADMIN_PASSWORD a password is generated and printed to the console this once; it is in no log line.
 */
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminUsername, adminPassword } = this.config.auth;
    const password = adminPassword ?? randomBytes(18).toString('base64url');
    const created = await this.users.createFirstSuperAdmin(adminUsername, password);
    if (!created) return;
    this.logger.log(`created the first SUPER_ADMIN "${adminUsername}"`);
    if (!adminPassword) {
      process.stdout.write(
        `\n  First start: SUPER_ADMIN "${adminUsername}" was created with the password\n\n      ${password}\n\n` +
          `  It is shown this once. Sign in at POST /api/auth/login and change it (PATCH /api/users/:id).\n\n`,
      );
    }
  }
}
