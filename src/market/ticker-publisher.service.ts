import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { yieldToEventLoop } from '../platform/async/yield-to-event-loop';
import { AppConfig } from '../platform/config/app-config';
import { EventBus } from '../platform/events/event-bus';
import { Clock } from '../platform/time/clock';
import { MarketSimulationService } from './market-simulation.service';

/** Publishes a `ticker` event per simulated pair every second (the realtime topics and bots listen). */
@Injectable()
export class TickerPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly simulation: MarketSimulationService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.market.simulation) return;
    this.timer = setInterval(() => void this.publish(), 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private publishing = false;

  /**
   * One ticker per pair. The first of a simulated day computes that day's path (a noticeable piece of
   * work per pair), so the loop yields between pairs instead of holding the event loop for all of them.
   */
  async publish(): Promise<void> {
    if (this.publishing) return;
    this.publishing = true;
    try {
      const now = this.clock.nowMs();
      const quotes = this.simulation.quotes;
      for (let index = 0; index < quotes.pairs.length; index++) {
        this.events.publish('ticker', quotes.ticker(index, now));
        await yieldToEventLoop();
      }
    } finally {
      this.publishing = false;
    }
  }
}
