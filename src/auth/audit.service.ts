import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { Between, FindOptionsWhere, LessThanOrEqual, MoreThanOrEqual, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Principal } from '../platform/access/principal';
import { currentRequestId } from '../platform/http/request-context';
import { Clock } from '../platform/time/clock';
import { AuditQueryDto } from './dto/audit.dto';
import { AuditActorType, AuditEntry, AuditResult } from './entities/audit-entry.entity';

export interface AuditRecord {
  action: string;
  result: AuditResult;
  actor?: Principal;
  /** For anonymous actions (login): who they claimed to be. */
  actorName?: string;
  ip?: string;
  target?: { type: string; id?: string; name?: string };
  /** Never secrets, tokens or hashes. */
  details?: Record<string, unknown>;
}

export function auditContext(request: FastifyRequest): { actor?: Principal; ip: string } {
  return { actor: request.principal, ip: request.ip };
}

/** Writes and reads the append-only audit trail. */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>,
    private readonly clock: Clock,
  ) {}

  async record(record: AuditRecord): Promise<void> {
    const actorType: AuditActorType = record.actor ? record.actor.kind : 'anonymous';
    const entry = this.entries.create({
      at: this.clock.now(),
      actorType,
      actorId: record.actor?.id ?? null,
      actorName: record.actor?.name ?? record.actorName ?? null,
      action: record.action,
      targetType: record.target?.type ?? null,
      targetId: record.target?.id ?? null,
      targetName: record.target?.name ?? null,
      ip: record.ip ?? null,
      result: record.result,
      details: record.details ?? null,
      requestId: currentRequestId() ?? null,
    });
    // One statement (save would wrap it in a transaction); details is JSON, which insert's types do not model.
    await this.entries.insert(entry as QueryDeepPartialEntity<AuditEntry>);
  }

  async list(query: AuditQueryDto): Promise<{ items: AuditEntry[]; total: number }> {
    const where: FindOptionsWhere<AuditEntry> = {};
    if (query.action) where.action = query.action;
    if (query.actorId) where.actorId = query.actorId;
    if (query.targetId) where.targetId = query.targetId;
    if (query.result) where.result = query.result;
    if (query.from && query.to) where.at = Between(new Date(query.from), new Date(query.to));
    else if (query.from) where.at = MoreThanOrEqual(new Date(query.from));
    else if (query.to) where.at = LessThanOrEqual(new Date(query.to));
    const [items, total] = await this.entries.findAndCount({
      where,
      order: { at: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  /** Results of the latest login attempts for a username, newest first. */
  async recentLogins(
    usernameKey: string,
    since: Date,
    take: number,
  ): Promise<Array<Pick<AuditEntry, 'at' | 'result'>>> {
    return this.entries.find({
      select: { at: true, result: true },
      where: { action: 'auth.login', targetName: usernameKey, at: MoreThanOrEqual(since) },
      order: { at: 'DESC', id: 'DESC' },
      take,
    });
  }
}
