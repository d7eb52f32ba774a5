import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AccessGuard } from './access/access.guard';
import { RateLimiter } from './access/rate-limiter';
import { SecretBox } from './crypto/secret-box';
import { SlidingWindowStore } from './access/sliding-window.store';
import { RedisSlidingWindowStore } from './access/redis-sliding-window.store';
import { RedisConnections } from './redis/redis-connections';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventBus } from './events/event-bus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyKey } from './idempotency/idempotency-key.entity';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyService } from './idempotency/idempotency.service';
import { HealthRegistry } from './health/health-registry';
import { MetricsService } from './metrics/metrics.service';
import { Clock } from './time/clock';
import { AdvisoryLeases } from './leases/advisory-leases';
import { JobProgress } from './jobs/job-progress.entity';
import { JobQueue } from './jobs/job-queue';
import { PgBossJobQueue } from './jobs/pg-boss-job-queue';
import { Outbox } from './outbox/outbox';
import { OutboxEvent } from './outbox/outbox-event.entity';
import { RuntimeSettings } from './settings/runtime-settings';
import { SettingsVersion } from './settings/settings-version.entity';

/** Cross-cutting services with no business rules, available to every domain module. */
@Global()
@Module({})
export class PlatformModule {
  /** `clock` replaces the system clock (tests move time by hand). */
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        TypeOrmModule.forFeature([IdempotencyKey, JobProgress, OutboxEvent, SettingsVersion]),
        ScheduleModule.forRoot(),
      ],
      providers: [
        clock ? { provide: Clock, useValue: clock } : Clock,
        EventBus,
        HealthRegistry,
        IdempotencyService,
        IdempotencyInterceptor,
        AdvisoryLeases,
        { provide: JobQueue, useClass: PgBossJobQueue },
        MetricsService,
        Outbox,
        RateLimiter,
        RuntimeSettings,
        SecretBox,
        RedisConnections,
        SlidingWindowStore,
        // With Redis, every instance counts against one budget.
        ...(config.redisUrl ? [RedisSlidingWindowStore] : []),
        {
          provide: ThrottlerStorage,
          useExisting: config.redisUrl ? RedisSlidingWindowStore : SlidingWindowStore,
        },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [
        Clock,
        EventBus,
        HealthRegistry,
        IdempotencyService,
        IdempotencyInterceptor,
        AdvisoryLeases,
        JobQueue,
        MetricsService,
        Outbox,
        RateLimiter,
        RedisConnections,
        RuntimeSettings,
        SecretBox,
      ],
    };
  }
}
