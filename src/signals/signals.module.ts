import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DcaModule } from '../dca/dca.module';
import { EngineModule } from '../engine/engine.module';
import { MarketModule } from '../market/market.module';
import { PresetsModule } from '../presets/presets.module';
import { ScannerModule } from '../scanner/scanner.module';
import { TradingModule } from '../trading/trading.module';
import { BotSignal } from './bot-signal.entity';
import { BotSignals } from './bot-signals.service';
import { SignalsController } from './signals.controller';

/** Inbound signals: a bot's signal URL (TradingView-style alerts) and what it did with each signal. */
@Module({
  imports: [
    TypeOrmModule.forFeature([BotSignal]),
    EngineModule,
    DcaModule,
    MarketModule,
    PresetsModule,
    ScannerModule,
    TradingModule,
  ],
  controllers: [SignalsController],
  providers: [BotSignals],
})
export class SignalsModule {}
