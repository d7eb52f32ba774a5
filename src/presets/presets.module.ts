import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StrategiesModule } from '../strategies/strategies.module';
import { Preset } from './preset.entity';
import { PresetsController } from './presets.controller';
import { PresetsService } from './presets.service';

/** Presets: named bot configurations (strategy + risk + scanner settings). */
@Module({
  imports: [TypeOrmModule.forFeature([Preset]), StrategiesModule],
  controllers: [PresetsController],
  providers: [PresetsService],
  exports: [PresetsService],
})
export class PresetsModule {}
