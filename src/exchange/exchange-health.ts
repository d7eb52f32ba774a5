import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config';
import { HealthRegistry } from '../platform/health/health-registry';
import { Clock } from '../platform/time/clock';

/**
 * Reports the default venue in health: the paper exchange, which trades on the simulated market.
 * (Live exchange accounts will add a check that calls the exchange.)
 */
@Injectable()
export class ExchangeHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.register('exchange', () => {
      const running = this.config.market.simulation;
      return Promise.resolve({
        status: running ? 'healthy' : 'not_configured',
        critical: false,
        detail: {
          name: 'paper',
          connected: running,
          testnet: false,
          lastPing: new Date(this.clock.nowMs()).toISOString(),
        },
      });
    });
  }
}
