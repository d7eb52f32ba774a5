import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module';
import { PresetsModule } from '../presets/presets.module';
import { ScannerController } from './scanner.controller';
import { ScannerService } from './scanner.service';

/** Scanner: ranks a symbol universe against a preset. */
@Module({
  imports: [MarketModule, PresetsModule],
  controllers: [ScannerController],
  providers: [ScannerService],
  exports: [ScannerService],
})
export class ScannerModule {}
