import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { errorMessage } from '../errors/error-message';
import { EventBus } from '../events/event-bus';
import { ApiError } from '../http/api-error';
import { PgListener } from '../database/pg-listener';
import { Clock } from '../time/clock';
import {
  completeSettings,
  initialSettings,
  mergeSettings,
  RuntimeSettingsDocument,
  SettingChange,
  settingChanges,
  SettingsSection,
  settingsProblems,
} from './settings-document';
import { SettingsVersion } from './settings-version.entity';

declare module '../events/event-bus' {
  interface DomainEvents {
    /** A new version of the runtime settings is in force in this instance. */
    'settings.changed': { version: number; changes: SettingChange[]; sections: SettingsSection[] };
  }
}

/**
 * How often an instance looks for a version another instance wrote: on PostgreSQL a NOTIFY brings it at
 * once and the poll only covers a lost listening connection; on PGlite there is one instance.
 */
const REFRESH_MS = { postgres: 5000, pglite: 1000 };
const WRITE_LOCK = 'tradeplane:settings';
/** Each new version is announced on this channel (PostgreSQL NOTIFY), its number as the payload. */
const CHANNEL = 'tradeplane_settings';

export interface SettingsUpdate {
  /** A partial document, already named by `prefix` in problems (`settings` for POST's body). */
  patch: unknown;
  prefix: string;
  author: string;
  comment?: string;
  /** The version the caller read (If-Match): another one current is a conflict. */
  expectedVersion?: number;
  validateOnly?: boolean;
}

export interface SettingsUpdateResult {
  changes: SettingChange[];
  version: number;
  /** Whether a new version was written (not for validateOnly, nor when nothing changed). */
  written: boolean;
}

/**
 * The runtime settings in force: the only reader of them (modules ask for their section and hear
 * `settings.changed`). Versioned in PostgreSQL (settings_versions); a version written by another
 * instance is in force here at once on PostgreSQL (LISTEN/NOTIFY), at the latest after REFRESH_MS.
 */
@Injectable()
export class RuntimeSettings implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Settings');
  private current!: SettingsVersion;
  private timer: NodeJS.Timeout | undefined;
  private listener: PgListener | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const versions = this.dataSource.getRepository(SettingsVersion);
    // The first instance writes version 1 from the environment; another starting at once finds it.
    await versions
      .createQueryBuilder()
      .insert()
      .values({
        version: 1,
        document: initialSettings(this.config),
        changes: [],
        author: 'system',
        comment: 'initial settings from the environment',
        createdAt: this.clock.now(),
      })
      .orIgnore()
      .execute();
    this.current = this.completed((await this.newest(this.dataSource.manager))!);
  }

  async onApplicationBootstrap(): Promise<void> {
    const url = this.config.databaseUrl;
    this.timer = setInterval(() => void this.refresh(), url ? REFRESH_MS.postgres : REFRESH_MS.pglite);
    this.timer.unref();
    if (url) {
      const refresh = () => void this.refresh();
      this.listener = new PgListener(url, CHANNEL, refresh, refresh);
      await this.listener.start();
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.listener?.stop();
  }

  get version(): number {
    return this.current.version;
  }

  get updatedAt(): Date {
    return this.current.createdAt;
  }

  get document(): RuntimeSettingsDocument {
    return this.current.document;
  }

  section<S extends SettingsSection>(name: S): RuntimeSettingsDocument[S] {
    return this.current.document[name];
  }

  /**
   * Validates a partial document and, unless validateOnly, merges it into the current one as a new
   * version. Problems are a 400 naming each bad path; a stale expectedVersion is a 409; either way
   * nothing changes.
   */
  async update(update: SettingsUpdate): Promise<SettingsUpdateResult> {
    const problems = settingsProblems(update.patch, update.prefix);
    if (problems.length > 0) throw ApiError.validation(problems.join('; '), { fields: problems });
    return this.write((current) => mergeSettings(current.document, update.patch as object), update);
  }

  /** Makes an old version's document current again, as a new version. */
  async rollback(version: number, author: string, expectedVersion?: number): Promise<SettingsUpdateResult> {
    const old = await this.dataSource.getRepository(SettingsVersion).findOneBy({ version });
    if (!old) throw ApiError.notFound(`No settings version ${version}`);
    const document = this.completed(old).document;
    return this.write(() => document, {
      author,
      expectedVersion,
      comment: `rollback to version ${version}`,
    });
  }

  async history(limit: number, offset: number): Promise<{ items: SettingsVersion[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(SettingsVersion).findAndCount({
      order: { version: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  /** Reads the newest version, and puts it in force when it is newer than the one here. */
  async refresh(): Promise<void> {
    try {
      const newest = await this.newest(this.dataSource.manager);
      if (newest && newest.version > this.current.version) this.adopt(this.completed(newest));
    } catch (error) {
      this.logger.warn(`could not read the settings: ${errorMessage(error)}`);
    }
  }

  private async write(
    next: (current: SettingsVersion) => RuntimeSettingsDocument,
    options: { author: string; comment?: string; expectedVersion?: number; validateOnly?: boolean },
  ): Promise<SettingsUpdateResult> {
    const written = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [WRITE_LOCK]);
      const current = this.completed((await this.newest(manager))!);
      if (options.expectedVersion !== undefined && options.expectedVersion !== current.version)
        throw ApiError.conflict(
          `The settings are at version ${current.version}, not ${options.expectedVersion}: read them again and retry`,
        );
      const document = next(current);
      const changes = settingChanges(current.document, document);
      if (options.validateOnly || changes.length === 0)
        return { changes, version: current.version, written: false, entity: current };
      const entity = manager.create(SettingsVersion, {
        version: current.version + 1,
        document,
        changes,
        author: options.author,
        comment: options.comment ?? null,
        createdAt: this.clock.now(),
      });
      await manager.save(entity);
      // Delivered to every listening instance when this transaction commits.
      await manager.query('SELECT pg_notify($1, $2)', [CHANNEL, String(entity.version)]);
      return { changes, version: entity.version, written: true, entity };
    });
    // Only a newer one: a version another instance wrote after this one may be in force already.
    if (written.entity.version > this.current.version) this.adopt(written.entity);
    return { changes: written.changes, version: written.version, written: written.written };
  }

  private adopt(version: SettingsVersion): void {
    const changes = settingChanges(this.current.document, version.document);
    this.current = version;
    const sections = [...new Set(changes.map((change) => change.path.split('.')[0] as SettingsSection))];
    this.logger.log(
      `settings version ${version.version} in force${changes.length ? `: ${changes.map((c) => c.path).join(', ')}` : ''}`,
    );
    this.events.publish('settings.changed', { version: version.version, changes, sections });
  }

  private newest(manager: EntityManager): Promise<SettingsVersion | null> {
    return manager
      .getRepository(SettingsVersion)
      .createQueryBuilder('settings')
      .orderBy('settings.version', 'DESC')
      .limit(1)
      .getOne();
  }

  /** A stored version with the settings added since it was written, at their defaults. */
  private completed(version: SettingsVersion): SettingsVersion {
    return Object.assign(new SettingsVersion(), version, {
      document: completeSettings(version.document, initialSettings(this.config)),
    });
  }
}
