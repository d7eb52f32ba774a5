import { RealtimeMetrics } from './realtime-metrics';
import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module';
import { TradingModule } from '../trading/trading.module';
import { RealtimeEvents } from './realtime-events';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeHub } from './realtime-hub';
import { RealtimeFanout } from './realtime-fanout';
import { WebSocketStatsController } from './websocket-stats.controller';

/** WebSocket streams of domain events and tickers; listens to the event bus, nothing imports it. */
@Module({
  imports: [MarketModule, TradingModule],
  controllers: [WebSocketStatsController],
  providers: [RealtimeHub, RealtimeFanout, RealtimeGateway, RealtimeEvents, RealtimeMetrics],
})
export class RealtimeModule {}
