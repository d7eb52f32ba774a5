import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../platform/errors/error-message';
import { RedisConnections } from '../platform/redis/redis-connections';
import { RealtimeHub } from './realtime-hub';

interface FanoutMessage {
  /** The instance that published it. */
  origin: string;
  topic: string;
  type: string;
  data: unknown;
}

/**
 * Delivers a domain event to the WebSocket subscribers of every instance. Without Redis it is this
 * instance's hub. With Redis, each event is published once on the deployment's channel and every
 * instance (this one included) hands what it receives to its hub, which serialises it once for its own
 * subscribers: one channel, so every instance sees the events in the same order. While Redis cannot be
 * reached, events reach this instance's subscribers only.
 */
@Injectable()
export class RealtimeFanout implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RealtimeFanout');
  private readonly origin = randomUUID();
  private subscriber: Redis | undefined;
  private channel = '';
  /** Events published here and received back through Redis (for status). */
  relayed = 0;

  constructor(
    private readonly hub: RealtimeHub,
    private readonly redis: RedisConnections,
  ) {}

  get shared(): boolean {
    return this.redis.enabled;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis.enabled) return;
    this.channel = this.redis.key('realtime');
    this.subscriber = this.redis.subscriber('realtime');
    this.subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      // ioredis subscribes again once Redis is reachable.
      this.logger.warn(`not subscribed to ${this.channel} yet: ${errorMessage(error)}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.unsubscribe().catch(() => undefined);
  }

  publish(topic: string, type: string, data: unknown): void {
    if (!this.subscriber) {
      this.hub.publish(topic, type, data);
      return;
    }
    const message: FanoutMessage = { origin: this.origin, topic, type, data };
    this.redis
      .commands()
      .publish(this.channel, JSON.stringify(message))
      .catch((error: unknown) => {
        this.logger.warn(`event not shared (${errorMessage(error)}): delivered on this instance only`);
        this.hub.publish(topic, type, data);
      });
  }

  private receive(raw: string): void {
    try {
      const message = JSON.parse(raw) as FanoutMessage;
      if (message.origin === this.origin) this.relayed++;
      this.hub.publish(message.topic, message.type, message.data);
    } catch (error) {
      this.logger.warn(`unreadable realtime message: ${errorMessage(error)}`);
    }
  }
}
