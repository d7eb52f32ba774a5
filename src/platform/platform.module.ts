import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AccessGuard } from './access/access.guard';
import { RateLimiter } from './access/rate-limiter';
import { SecretBox } from './crypto/secret-box';
import { SlidingWindowStore } from './access/sliding-window.store';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthRegistry } from './health/health-registry';
import { MetricsService } from './metrics/metrics.service';
import { Clock } from './time/clock';

/** Cross-cutting services with no business rules, available to every domain module. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, ScheduleModule.forRoot()],
      providers: [
        Clock,
        HealthRegistry,
        MetricsService,
        RateLimiter,
        SecretBox,
        { provide: ThrottlerStorage, useClass: SlidingWindowStore },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [Clock, HealthRegistry, MetricsService, RateLimiter, SecretBox],
    };
  }
}
