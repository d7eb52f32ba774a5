import { Module } from '@nestjs/common';
import { TradingModule } from '../trading/trading.module';
import { DcaController } from './dca.controller';
import { DcaPlans } from './dca-plans.service';

/** DCA: safety-order ladders, deals and DCA bots (3Commas' model), and seed 004's routes. */
@Module({
  imports: [TradingModule],
  controllers: [DcaController],
  providers: [DcaPlans],
})
export class DcaModule {}
