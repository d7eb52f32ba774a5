import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CandleRow } from './candle.entity';
import { CandleRepository } from './candle.repository';
import { MarketDataService } from './market-data.service';
import { MarketSimulationService } from './market-simulation.service';
import { MarketController } from './market.controller';
import { TickerPublisher } from './ticker-publisher.service';

/** Market data: the simulated market, the candle store, tickers, order books and indicators. */
@Module({
  imports: [TypeOrmModule.forFeature([CandleRow])],
  controllers: [MarketController],
  providers: [CandleRepository, MarketSimulationService, MarketDataService, TickerPublisher],
  exports: [CandleRepository, MarketSimulationService, MarketDataService],
})
export class MarketModule {}
