import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EngineModule } from '../engine/engine.module';
import { MarketModule } from '../market/market.module';
import { TradingModule } from '../trading/trading.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { StatusController } from './status.controller';
import { MonitoringMetrics } from './monitoring-metrics';
import { MonitoringReports } from './monitoring-reports.service';
import { ResourceMonitor } from './resource-monitor';
import { SystemSample } from './system-sample.entity';
import { SystemSampler } from './system-sampler.service';

@Module({
  imports: [TypeOrmModule.forFeature([SystemSample]), MarketModule, TradingModule, EngineModule],
  controllers: [HealthController, MetricsController, StatusController],
  providers: [HealthService, ResourceMonitor, SystemSampler, MonitoringReports, MonitoringMetrics],
})
export class MonitoringModule {}
