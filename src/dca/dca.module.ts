import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EngineModule } from '../engine/engine.module';
import { PresetsModule } from '../presets/presets.module';
import { TradingModule } from '../trading/trading.module';
import { DcaBots } from './dca-bots.service';
import { DcaController } from './dca.controller';
import { DcaDeal } from './dca-deal.entity';
import { DcaDealQueries } from './dca-deal-queries.service';
import { DcaDealOrders } from './dca-deal-orders.service';
import { DcaDealOpenings } from './dca-deal-openings.service';
import { DcaDeals } from './dca-deals.service';
import { DcaMetrics } from './dca-metrics';
import { DcaPlans } from './dca-plans.service';
import { DcaTrades } from './dca-trades.service';

/** DCA: safety-order ladders, deals and DCA bots (3Commas' model), and seed 004's routes. */
@Module({
  imports: [TypeOrmModule.forFeature([DcaDeal]), TradingModule, EngineModule, PresetsModule],
  controllers: [DcaController],
  providers: [
    DcaBots,
    DcaPlans,
    DcaDealOrders,
    DcaDeals,
    DcaDealOpenings,
    DcaDealQueries,
    DcaTrades,
    DcaMetrics,
  ],
  exports: [DcaDeals, DcaBots],
})
export class DcaModule {}
