import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config';
import { DatabaseHealth } from '../platform/database/database-health';
import { HealthRegistry } from '../platform/health/health-registry';
import { pingRedis } from '../platform/health/redis-ping';
import { Clock } from '../platform/time/clock';
import { HealthResponseDto, ReadinessResponseDto } from './dto/health-response.dto';
import { ResourceMonitor } from './resource-monitor';

/** Composes the health answer from the database ping, resources and the registered service checks. */
@Injectable()
export class HealthService {
  private readonly logger = new Logger(HealthService.name);
  private readonly startedAt: number;

  constructor(
    private readonly config: AppConfig,
    private readonly database: DatabaseHealth,
    private readonly registry: HealthRegistry,
    private readonly resources: ResourceMonitor,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.nowMs();
    const redisUrl = config.redisUrl;
    if (redisUrl) {
      registry.register('redis', async () => ({
        status: (await pingRedis(redisUrl)) ? 'healthy' : 'unhealthy',
        critical: false,
      }));
    }
  }

  uptimeSeconds(): number {
    return Math.floor((this.clock.nowMs() - this.startedAt) / 1000);
  }

  async check(): Promise<HealthResponseDto> {
    const [ping, reading, services] = await Promise.all([
      this.database.ping(),
      this.resources.readForHealth(),
      this.registry.runAll(),
    ]);
    if (!ping.up) this.logger.warn(`database health check failed: ${ping.error}`);
    const resourceHealth = this.resources.health(reading);
    const criticalDown = Object.values(services).some(
      (service) => service.critical && service.status === 'unhealthy',
    );
    const anyDegraded =
      resourceHealth.status !== 'healthy' ||
      Object.values(services).some(
        (service) => service.status === 'degraded' || service.status === 'unhealthy',
      );
    const engine = services.engine;
    return {
      status: !ping.up || criticalDown ? 'unhealthy' : anyDegraded ? 'degraded' : 'healthy',
      timestamp: this.clock.now().toISOString(),
      version: this.config.version,
      uptimeSeconds: this.uptimeSeconds(),
      services: {
        backend: 'healthy',
        database: ping.up ? 'healthy' : 'unhealthy',
        exchange: services.exchange?.status ?? 'not_configured',
        redis: services.redis?.status ?? 'not_configured',
        engine: engine?.status ?? 'not_configured',
      },
      database: { status: ping.up ? 'healthy' : 'unhealthy', driver: ping.driver, latencyMs: ping.latencyMs },
      resourceHealth,
      engineInitialized: engine?.detail?.initialized === true,
      engineRunning: engine?.detail?.running === true,
    };
  }

  async readiness(): Promise<ReadinessResponseDto> {
    const ping = await this.database.ping();
    return ping.up
      ? { status: 'ready', database: true }
      : { status: 'not_ready', database: false, reasons: ['database does not answer'] };
  }
}
