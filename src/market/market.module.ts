import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CandleRow } from './candle.entity';
import { CandleRepository } from './candle.repository';
import { MarketSimulationService } from './market-simulation.service';

/** Market data: the simulated market, the candle store, tickers, order books and indicators. */
@Module({
  imports: [TypeOrmModule.forFeature([CandleRow])],
  providers: [CandleRepository, MarketSimulationService],
  exports: [CandleRepository, MarketSimulationService],
})
export class MarketModule {}
