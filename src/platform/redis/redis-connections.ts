import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';

/**
 * Connections to the deployment's Redis (REDIS_URL), made when first asked for: one for commands,
 * one per subscriber (a subscribed connection takes no other commands). Without REDIS_URL there are
 * none and callers keep to this instance. Commands fail fast while Redis is away (no offline queue).
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Redis');
  private commandClient: Redis | undefined;
  private readonly all: Redis[] = [];

  constructor(private readonly config: AppConfig) {}

  /**
   * Connects the command connection at start-up (waiting up to 2 s): commands fail at once rather
   * than queue while it is not connected, so the first requests would otherwise miss Redis.
   */
  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const client = this.commands();
    if (client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  /** `<namespace>:<name>`: keys and channels of this deployment. */
  key(name: string): string {
    return `${this.config.redisNamespace}:${name}`;
  }

  commands(): Redis {
    this.commandClient ??= this.connect('commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    return this.commandClient;
  }

  /** A new connection for SUBSCRIBE (it resubscribes by itself after a reconnection). */
  subscriber(purpose: string): Redis {
    return this.connect(purpose, { maxRetriesPerRequest: null });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.all.map((client) => client.quit().catch(() => client.disconnect())));
  }

  private connect(
    purpose: string,
    options: { enableOfflineQueue?: boolean; maxRetriesPerRequest: number | null },
  ): Redis {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is not set');
    const client = new Redis(this.config.redisUrl, {
      ...options,
      connectionName: `tradeplane-${purpose}`,
      commandTimeout: 1_000,
      // Reconnect 50 ms, 100 ms, ... up to 2 s apart, for as long as it takes.
      retryStrategy: (attempt) => Math.min(2_000, attempt * 50),
    });
    let warned = false;
    client.on('error', (error: Error) => {
      if (!warned) this.logger.warn(`${purpose}: ${error.message}`);
      warned = true;
    });
    client.on('ready', () => (warned = false));
    this.all.push(client);
    return client;
  }
}
