import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull, MoreThan, Repository } from 'typeorm';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { AlertSilence, SilenceMatchers } from './alert-silence.entity';
import type { AlertSeverity } from './alert.entity';

/** A silence lasts at most a year. */
const LONGEST_MS = 366 * 24 * 60 * 60 * 1000;

export interface NewSilence {
  matchers: SilenceMatchers;
  until: string;
  comment: string;
}

/** Silences: created, listed and expired by people; asked which one covers an alert being raised. */
@Injectable()
export class AlertSilencesService {
  constructor(
    @InjectRepository(AlertSilence) private readonly silences: Repository<AlertSilence>,
    private readonly clock: Clock,
  ) {}

  async create(input: NewSilence, by: string): Promise<AlertSilence> {
    const matchers = Object.fromEntries(
      Object.entries(input.matchers).filter(([, value]) => value !== undefined),
    ) as SilenceMatchers;
    if (Object.keys(matchers).length === 0)
      throw ApiError.validation('matchers: name at least one of type, source, severity');
    const now = this.clock.nowMs();
    const endsAt = Date.parse(input.until);
    if (!(endsAt > now)) throw ApiError.validation('until: must be in the future');
    if (endsAt - now > LONGEST_MS) throw ApiError.validation('until: at most 366 days from now');
    return this.silences.save(
      this.silences.create({
        id: randomUUID(),
        matchers,
        startsAt: new Date(now),
        endsAt: new Date(endsAt),
        comment: input.comment,
        createdBy: by,
        expiredAt: null,
        expiredBy: null,
      }),
    );
  }

  async list(activeOnly: boolean): Promise<AlertSilence[]> {
    return this.silences.find({
      where: activeOnly ? { expiredAt: IsNull(), endsAt: MoreThan(this.clock.now()) } : {},
      order: { startsAt: 'DESC', id: 'ASC' },
      take: 500,
    });
  }

  async get(id: string): Promise<AlertSilence> {
    const silence = await this.silences.findOneBy({ id });
    if (!silence) throw ApiError.notFound(`No silence ${id}`);
    return silence;
  }

  /** Ends a silence now (DELETE); an expired one stays listed as it was. */
  async expire(id: string, by: string): Promise<AlertSilence> {
    const silence = await this.get(id);
    if (!this.isActive(silence)) throw ApiError.conflict(`Silence ${id} has already ended`);
    silence.expiredAt = this.clock.now();
    silence.expiredBy = by;
    return this.silences.save(silence);
  }

  isActive(silence: AlertSilence): boolean {
    return silence.expiredAt === null && silence.endsAt.getTime() > this.clock.nowMs();
  }

  /** The active silence that covers an alert, if one does (read in the alert's own transaction). */
  async covering(
    manager: EntityManager,
    alert: { type: string; source: string; severity: AlertSeverity },
  ): Promise<string | null> {
    const active = await manager.find(AlertSilence, {
      where: { expiredAt: IsNull(), endsAt: MoreThan(this.clock.now()) },
      order: { startsAt: 'ASC' },
    });
    const match = active.find(({ matchers }) =>
      (['type', 'source', 'severity'] as const).every(
        (field) => matchers[field] === undefined || matchers[field] === alert[field],
      ),
    );
    return match?.id ?? null;
  }
}
