import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module';
import { StrategiesController } from './strategies.controller';
import { StrategiesService } from './strategies.service';

/** Strategies: pure functions from candles to signals, shared by bots, backtests and the API. */
@Module({
  imports: [MarketModule],
  controllers: [StrategiesController],
  providers: [StrategiesService],
  exports: [StrategiesService],
})
export class StrategiesModule {}
