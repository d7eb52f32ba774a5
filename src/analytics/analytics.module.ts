import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EngineModule } from '../engine/engine.module';
import { TradingModule } from '../trading/trading.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsScopes } from './analytics-scopes';
import { EquityHistory } from './equity-history.service';
import { EquityPoint } from './equity-point.entity';
import { EquityPoints } from './equity-points.repository';
import { EquityRecorder } from './equity-recorder.service';
import { PerformanceReport } from './performance.service';
import { RiskReport } from './risk.service';
import { FibonacciDashboard } from './fibonacci-dashboard.service';
import { MarketModule } from '../market/market.module';

/** Analytics: equity history, performance and risk from the ledger, seed 000's dashboard. */
@Module({
  imports: [TypeOrmModule.forFeature([EquityPoint]), TradingModule, EngineModule, MarketModule],
  controllers: [AnalyticsController],
  providers: [
    EquityPoints,
    AnalyticsScopes,
    EquityRecorder,
    EquityHistory,
    PerformanceReport,
    RiskReport,
    FibonacciDashboard,
  ],
  exports: [EquityRecorder],
})
export class AnalyticsModule {}
