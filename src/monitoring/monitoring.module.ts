import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { StatusController } from './status.controller';
import { ResourceMonitor } from './resource-monitor';
import { SystemSample } from './system-sample.entity';
import { SystemSampler } from './system-sampler.service';

@Module({
  imports: [TypeOrmModule.forFeature([SystemSample]), MarketModule],
  controllers: [HealthController, MetricsController, StatusController],
  providers: [HealthService, ResourceMonitor, SystemSampler],
})
export class MonitoringModule {}
