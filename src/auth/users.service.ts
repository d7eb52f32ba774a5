import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { Principal } from '../platform/access/principal';
import { Role, roleRank, roleSatisfies } from '../platform/access/role';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { Clock } from '../platform/time/clock';
import { AuditService } from './audit.service';
import { CreateUserDto, UpdateUserDto, UserResponseDto } from './dto/user.dto';
import { ApiKey } from './entities/api-key.entity';
import { AuthSession } from './entities/auth-session.entity';
import { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { AuthPrincipalResolver } from './principal-resolver';
import { ActorContext } from './request-actor';

export function toUserResponse(user: User): UserResponseDto {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    enabled: user.enabled,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    passwordChangedAt: user.passwordChangedAt?.toISOString() ?? null,
  };
}

function forbidden(message: string): ApiError {
  return new ApiError(403, ErrorCode.AUTHORIZATION_ERROR, message);
}

/**
 * Users and their roles. Only a SUPER_ADMIN grants ADMIN or SUPER_ADMIN or manages those who hold
 * them, and the last enabled SUPER_ADMIN can be neither demoted, disabled nor deleted.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly principals: AuthPrincipalResolver,
    private readonly clock: Clock,
  ) {}

  async list(limit: number, offset: number): Promise<{ items: User[]; total: number }> {
    const [items, total] = await this.users.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw ApiError.notFound(`No user ${id}`);
    return user;
  }

  async create(dto: CreateUserDto, context: ActorContext): Promise<User> {
    const role = dto.role ?? Role.READ_ONLY;
    this.assertMayGrant(context.actor, role);
    const usernameKey = dto.username.toLowerCase();
    if (await this.users.existsBy({ usernameKey }))
      throw ApiError.conflict(`Username ${dto.username} is taken`);
    const user = await this.users.save(
      this.users.create({
        username: dto.username,
        usernameKey,
        passwordHash: await this.hasher.hash(dto.password),
        role,
        enabled: dto.enabled ?? true,
        passwordChangedAt: this.clock.now(),
      }),
    );
    await this.audit.record({
      action: 'user.create',
      result: 'success',
      ...context,
      target: { type: 'user', id: user.id, name: user.username },
      details: { role, enabled: user.enabled },
    });
    return user;
  }

  /** Creates the first SUPER_ADMIN of an empty installation. */
  async createFirstSuperAdmin(username: string, password: string): Promise<User | undefined> {
    const passwordHash = await this.hasher.hash(password);
    const user = await this.dataSource.transaction(async (manager) => {
      // Serialises concurrent first starts of several instances.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['tradeplane:first-admin']);
      if ((await manager.count(User)) > 0) return undefined;
      return manager.save(
        manager.create(User, {
          username,
          usernameKey: username.toLowerCase(),
          passwordHash,
          role: Role.SUPER_ADMIN,
          enabled: true,
          passwordChangedAt: this.clock.now(),
        }),
      );
    });
    if (user) {
      await this.audit.record({
        action: 'user.create',
        result: 'success',
        target: { type: 'user', id: user.id, name: user.username },
        details: { role: Role.SUPER_ADMIN, bootstrap: true },
      });
    }
    return user;
  }

  async update(id: string, dto: UpdateUserDto, context: ActorContext): Promise<User> {
    const passwordHash = dto.password ? await this.hasher.hash(dto.password) : undefined;
    const { user, changes } = await this.dataSource.transaction(async (manager) => {
      const target = await this.lockTarget(manager, id, context.actor);
      if (dto.role !== undefined) this.assertMayGrant(context.actor, dto.role);
      const demotes =
        dto.role !== undefined && target.role === Role.SUPER_ADMIN && dto.role !== Role.SUPER_ADMIN;
      const disables = dto.enabled === false && target.role === Role.SUPER_ADMIN && target.enabled;
      if (demotes || disables) await this.assertNotLastSuperAdmin(manager, target);

      const changes: Record<string, unknown> = {};
      if (dto.role !== undefined && dto.role !== target.role)
        changes.role = { from: target.role, to: dto.role };
      if (dto.enabled !== undefined && dto.enabled !== target.enabled)
        changes.enabled = { from: target.enabled, to: dto.enabled };
      if (passwordHash) changes.password = 'reset';
      if (Object.keys(changes).length === 0) return { user: target, changes };

      target.role = dto.role ?? target.role;
      target.enabled = dto.enabled ?? target.enabled;
      if (passwordHash) {
        target.passwordHash = passwordHash;
        target.passwordChangedAt = this.clock.now();
      }
      // Existing access tokens of the user stop working; a disable or password reset also ends every sign-in.
      target.tokenVersion += 1;
      const saved = await manager.save(target);
      if (changes.enabled || changes.password)
        await this.revokeSessions(manager, target.id, changes.password ? 'password_reset' : 'user_disabled');
      return { user: saved, changes };
    });
    if (Object.keys(changes).length > 0) {
      this.principals.forgetUser(user.id, changes.role ? user.role : undefined);
      await this.audit.record({
        action: changes.role ? 'user.role_change' : 'user.update',
        result: 'success',
        ...context,
        target: { type: 'user', id: user.id, name: user.username },
        details: changes,
      });
    }
    return user;
  }

  /** Deletes a user and revokes every API key they created: a key never outlives the person behind it. */
  async remove(id: string, context: ActorContext): Promise<void> {
    const { removed, revokedKeys } = await this.dataSource.transaction(async (manager) => {
      const target = await this.lockTarget(manager, id, context.actor);
      const actorUserId = context.actor.kind === 'user' ? context.actor.id : context.actor.ownerId;
      if (actorUserId === target.id) {
        throw ApiError.conflict('You cannot delete your own account');
      }
      if (target.role === Role.SUPER_ADMIN && target.enabled)
        await this.assertNotLastSuperAdmin(manager, target);
      const revokedKeys = await manager.find(ApiKey, {
        where: { createdBy: target.id, revokedAt: IsNull() },
        select: { id: true, name: true, prefix: true },
      });
      if (revokedKeys.length > 0)
        await manager.update(
          ApiKey,
          revokedKeys.map((key) => key.id),
          { enabled: false, revokedAt: this.clock.now() },
        );
      await manager.delete(User, { id: target.id });
      return { removed: target, revokedKeys };
    });
    this.principals.forgetUser(removed.id);
    for (const key of revokedKeys) this.principals.forgetKey(key.prefix);
    await this.audit.record({
      action: 'user.delete',
      result: 'success',
      ...context,
      target: { type: 'user', id: removed.id, name: removed.username },
      details: { role: removed.role, revokedKeys: revokedKeys.map((key) => key.id) },
    });
    for (const key of revokedKeys)
      await this.audit.record({
        action: 'key.revoke',
        result: 'success',
        ...context,
        target: { type: 'apiKey', id: key.id, name: key.name },
        details: { reason: 'creator_deleted', creator: removed.id },
      });
  }

  private assertMayGrant(actor: Principal, role: Role): void {
    if (roleRank(role) >= roleRank(Role.ADMIN) && actor.role !== Role.SUPER_ADMIN) {
      throw forbidden(`Only a SUPER_ADMIN may grant ${role}`);
    }
    if (!roleSatisfies(actor.role, role))
      throw forbidden(`You cannot grant ${role}, which is above your own role`);
  }

  /**
   * Loads the target row for update, and refuses when the actor may not manage it. Changes of users
   * take one lock first: each may lock every enabled SUPER_ADMIN (the last-one rule), and two of them
   * locking those rows in different orders would deadlock.
   */
  private async lockTarget(manager: EntityManager, id: string, actor: Principal): Promise<User> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['tradeplane:user-changes']);
    const target = await manager.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!target) throw ApiError.notFound(`No user ${id}`);
    if (roleRank(target.role) >= roleRank(Role.ADMIN) && actor.role !== Role.SUPER_ADMIN) {
      throw forbidden(`Only a SUPER_ADMIN may change a user who holds ${target.role}`);
    }
    return target;
  }

  private async assertNotLastSuperAdmin(manager: EntityManager, target: User): Promise<void> {
    const superAdmins = await manager.find(User, {
      where: { role: Role.SUPER_ADMIN, enabled: true },
      select: { id: true },
      lock: { mode: 'pessimistic_write' },
    });
    if (superAdmins.filter((user) => user.id !== target.id).length === 0) {
      throw ApiError.conflict('This is the last enabled SUPER_ADMIN; appoint another one first');
    }
  }

  private async revokeSessions(manager: EntityManager, userId: string, reason: string): Promise<void> {
    const sessions = await manager.find(AuthSession, {
      where: { userId, revokedAt: IsNull() },
      select: { id: true },
    });
    if (sessions.length === 0) return;
    await manager.update(
      AuthSession,
      sessions.map((session) => session.id),
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    for (const session of sessions) this.principals.forgetSession(session.id);
  }
}
