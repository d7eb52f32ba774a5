import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config';
import { MarketSimulationService } from '../market/market-simulation.service';
import { DatabaseHealth } from '../platform/database/database-health';
import { HealthRegistry } from '../platform/health/health-registry';
import { pingRedis } from '../platform/health/redis-ping';
import { Clock } from '../platform/time/clock';
import { HealthResponseDto, ReadinessResponseDto } from './dto/health-response.dto';
import { StatusResponseDto } from './dto/status-response.dto';
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
    private readonly marketSimulation: MarketSimulationService,
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
    return (await this.checkWithServices()).health;
  }

  private async checkWithServices(): Promise<{
    health: HealthResponseDto;
    services: Awaited<ReturnType<HealthRegistry['runAll']>>;
  }> {
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
    const health: HealthResponseDto = {
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
    return { health, services };
  }

  /** The operator's view (seed 003's /status): system, database and process performance. */
  async status(): Promise<StatusResponseDto> {
    const [{ health, services }, connections] = await Promise.all([
      this.checkWithServices(),
      this.database.connectionStats().catch(() => ({ connections: 0, maxConnections: 0 })),
    ]);
    const reading = health.resourceHealth;
    return {
      system: {
        status:
          health.status === 'healthy' ? 'operational' : health.status === 'degraded' ? 'degraded' : 'down',
        uptimeSeconds: health.uptimeSeconds,
        version: health.version,
        environment: this.config.nodeEnv,
      },
      database: {
        driver: health.database.driver,
        connected: health.database.status === 'healthy',
        latencyMs: health.database.latencyMs,
        ...connections,
      },
      exchange: {
        connected: services.exchange?.detail?.connected === true,
        name: typeof services.exchange?.detail?.name === 'string' ? services.exchange.detail.name : null,
        testnet: services.exchange?.detail?.testnet === true,
        lastPing:
          typeof services.exchange?.detail?.lastPing === 'string' ? services.exchange.detail.lastPing : null,
      },
      performance: {
        cpuUsage: reading.cpuPercent,
        memoryUsage: reading.memoryPercent,
        diskUsage: reading.diskUsedPercent,
        eventLoopLagMs: reading.eventLoopLagMs,
      },
      market: {
        source: this.config.market.simulation ? 'simulated' : 'none',
        seed: this.config.market.simulation ? this.config.market.seed : null,
        symbols: this.config.market.simulation ? this.marketSimulation.pairs.length : 0,
        backfill: this.marketSimulation.progress(),
      },
      timestamp: health.timestamp,
    };
  }

  async readiness(): Promise<ReadinessResponseDto> {
    const ping = await this.database.ping();
    return ping.up
      ? { status: 'ready', database: true }
      : { status: 'not_ready', database: false, reasons: ['database does not answer'] };
  }
}
