import { Module } from '@nestjs/common';
import { MlModule } from '../ml/ml.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { PresetsModule } from '../presets/presets.module';
import { ScannerModule } from '../scanner/scanner.module';
import { StrategiesModule } from '../strategies/strategies.module';
import { TradingModule } from '../trading/trading.module';
import { BacktestCandles } from './backtest-candles';
import { Backtest } from './backtest.entity';
import { BacktestsController } from './backtests.controller';
import { BacktestsService } from './backtests.service';
import { DcaBacktests } from './dca-backtests';
import { StrategyBacktests } from './strategy-backtests';

/** Backtests: presets replayed over stored candles with the engine's rules and the paper fill model. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Backtest]),
    MarketModule,
    PresetsModule,
    ScannerModule,
    StrategiesModule,
    TradingModule,
    MlModule,
  ],
  controllers: [BacktestsController],
  providers: [BacktestCandles, DcaBacktests, StrategyBacktests, BacktestsService],
  exports: [BacktestsService],
})
export class BacktestsModule {}
