import { Module } from '@nestjs/common';
import { MlModule } from '../ml/ml.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { PresetsModule } from '../presets/presets.module';
import { ScannerModule } from '../scanner/scanner.module';
import { StrategiesModule } from '../strategies/strategies.module';
import { TradingModule } from '../trading/trading.module';
import { Bot } from './bot.entity';
import { BotsController } from './bots.controller';
import { EngineController } from './engine.controller';
import { EngineReports } from './engine-reports';
import { BotDecision } from './bot-decision';
import { BotRuntimes } from './bot-runtimes';
import { BotStates } from './bot-states';
import { BotsService } from './bots.service';
import { EngineCommands } from './engine-commands';
import { EngineService } from './engine.service';
import { CandleStreams } from './candle-streams';
import { EntryExecution } from './entry-execution';
import { BotCapital } from './bot-capital';
import { BotKinds } from './bot-kinds';

/** Engine and bots: state machine, commands, risk manager, tick loop. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Bot]),
    MarketModule,
    PresetsModule,
    ScannerModule,
    StrategiesModule,
    TradingModule,
    MlModule,
  ],
  controllers: [EngineController, BotsController],
  providers: [
    BotRuntimes,
    BotKinds,
    BotStates,
    BotsService,
    EntryExecution,
    BotCapital,
    BotDecision,
    EngineService,
    EngineCommands,
    EngineReports,
    CandleStreams,
  ],
  exports: [
    EngineService,
    BotsService,
    EngineCommands,
    EngineReports,
    BotKinds,
    BotDecision,
    BotStates,
    BotCapital,
    EntryExecution,
  ],
})
export class EngineModule {}
