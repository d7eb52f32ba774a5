import { Injectable } from '@nestjs/common';

export type ServiceStatus = 'healthy' | 'degraded' | 'unhealthy' | 'not_configured' | 'stopped';

export interface ServiceCheck {
  status: ServiceStatus;
  /** true when this service being down means the whole instance cannot serve (503). */
  critical: boolean;
  detail?: Record<string, unknown>;
}

/**
 * Named health checks that domain modules contribute (exchange, redis, engine, ...), read by the
 * health endpoint without it knowing those modules.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, () => Promise<ServiceCheck>>();

  register(name: string, check: () => Promise<ServiceCheck>): void {
    this.checks.set(name, check);
  }

  async runAll(): Promise<Record<string, ServiceCheck>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, ServiceCheck]> => {
        try {
          return [name, await check()];
        } catch {
          return [name, { status: 'unhealthy', critical: false }];
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}
