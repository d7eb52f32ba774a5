import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Fill } from './fill.entity';
import { Order } from './order.entity';
import { OrderReconciler } from './order-reconciler.service';
import { OrderStreams } from './order-streams.service';
import { OrderRecorder } from './order-recorder.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { MarketModule } from '../market/market.module';
import { PositionHistoryService } from './position-history.service';
import { PositionsController } from './positions.controller';
import { Trade } from './trade.entity';
import { TradeGuard } from './trade-guard.service';
import { TradeLedger } from './trade-ledger';
import { TradePrices } from './trade-prices.service';
import { TradeQueries } from './trade-queries.service';
import { TradesController } from './trades.controller';
import { TradesService } from './trades.service';
import { TradingStatusController } from './trading-status.controller';
import { TradingMetrics } from './trading-metrics';
import { TradeStatistics } from './trade-statistics.repository';
import { TradingVenues } from './trading-venues.service';

/** Orders, fills, trades and positions, idempotency, reconciliation, stop loss and take profit. */
@Module({
  imports: [TypeOrmModule.forFeature([Order, Fill, Trade]), MarketModule],
  controllers: [OrdersController, TradesController, PositionsController, TradingStatusController],
  providers: [
    OrderStreams,
    TradeStatistics,
    TradingVenues,
    TradeLedger,
    PositionHistoryService,
    OrderRecorder,
    OrdersService,
    TradePrices,
    TradesService,
    TradeQueries,
    TradeGuard,
    OrderReconciler,
    TradingMetrics,
  ],
  exports: [
    OrdersService,
    TradesService,
    TradeQueries,
    OrderReconciler,
    TradingVenues,
    TradeStatistics,
    PositionHistoryService,
  ],
})
export class TradingModule {}
