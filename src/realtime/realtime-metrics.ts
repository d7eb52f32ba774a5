import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../platform/metrics/metrics.service';
import { RealtimeHub } from './realtime-hub';

/** The WebSocket hub's connections and message totals, read at each scrape (/api/metrics/system). */
@Injectable()
export class RealtimeMetrics implements OnModuleInit {
  constructor(
    private readonly hub: RealtimeHub,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const stats = () => this.hub.stats();
    this.metrics.scraped(
      'system',
      {
        name: 'tradeplane_websocket_connections',
        help: 'Open WebSocket connections, by whether they signed in',
        labelNames: ['authenticated'],
      },
      () => {
        const { totalConnections, authenticatedConnections } = stats();
        return [
          [{ authenticated: 'true' }, authenticatedConnections],
          [{ authenticated: 'false' }, totalConnections - authenticatedConnections],
        ];
      },
    );
    this.metrics.scraped(
      'system',
      {
        name: 'tradeplane_websocket_messages_total',
        help: 'WebSocket messages, by direction: sent, received, dropped (a slow client over its buffer limit)',
        labelNames: ['direction'],
        type: 'counter',
      },
      () => {
        const { messagesSent, messagesReceived, messagesDropped } = stats();
        return [
          [{ direction: 'sent' }, messagesSent],
          [{ direction: 'received' }, messagesReceived],
          [{ direction: 'dropped' }, messagesDropped],
        ];
      },
    );
    this.metrics.scraped(
      'system',
      {
        name: 'tradeplane_websocket_slow_clients_disconnected_total',
        help: 'Clients closed for staying over their buffer limit',
        type: 'counter',
      },
      () => [[{}, stats().slowClientsDisconnected]],
    );
  }
}
