import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TradingModule } from '../trading/trading.module';
import { ExchangeAccountSnapshot } from './account-snapshot.entity';
import { ExchangeImporter } from './exchange-importer';
import { ExchangeTradeRecord } from './exchange-trade.entity';
import { SyncCursor } from './sync-cursor.entity';
import { SyncQueries } from './sync-queries.service';
import { SyncRun } from './sync-run.entity';
import { SyncController } from './sync.controller';
import { SyncRepository } from './sync.repository';
import { SyncService } from './sync.service';
import { ThreeCommasImporter } from './three-commas-importer';

/** Syncs: an exchange account's history or a 3Commas connection's deals imported as jobs. */
@Module({
  imports: [
    TypeOrmModule.forFeature([SyncRun, SyncCursor, ExchangeTradeRecord, ExchangeAccountSnapshot]),
    TradingModule,
  ],
  controllers: [SyncController],
  providers: [SyncRepository, SyncService, SyncQueries, ExchangeImporter, ThreeCommasImporter],
})
export class SyncModule {}
