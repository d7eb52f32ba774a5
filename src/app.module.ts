import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ExchangeConnectorOptions } from './exchange/exchange-connector.service';
import { ExchangeModule } from './exchange/exchange.module';
import { MarketModule } from './market/market.module';
import { RealtimeModule } from './realtime/realtime.module';
import { BacktestsModule } from './backtests/backtests.module';
import { JobsModule } from './jobs/jobs.module';
import { EngineModule } from './engine/engine.module';
import { ScannerModule } from './scanner/scanner.module';
import { PresetsModule } from './presets/presets.module';
import { StrategiesModule } from './strategies/strategies.module';
import { TradingModule } from './trading/trading.module';
import { SettingsModule } from './settings/settings.module';
import { AlertsModule } from './alerts/alerts.module';
import { NotificationsModule } from './notifications/notifications.module';
import { DcaModule } from './dca/dca.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { MlModule } from './ml/ml.module';
import { SignalsModule } from './signals/signals.module';
import { IntegrationsModule } from './integrations/integrations.module';
import type { ThreeCommasOptions } from './integrations/three-commas-client';
import { SyncModule } from './sync/sync.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { AppConfig } from './platform/config/app-config';
import { PlatformModule } from './platform/platform.module';
import { Clock } from './platform/time/clock';

/** The whole product: the platform and the domain modules. */
@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    exchange: ExchangeConnectorOptions = {},
    clock?: Clock,
    threeCommas: ThreeCommasOptions = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, clock),
        AuthModule,
        MarketModule,
        ExchangeModule.forRoot(exchange),
        TradingModule,
        StrategiesModule,
        PresetsModule,
        ScannerModule,
        EngineModule,
        BacktestsModule,
        JobsModule,
        RealtimeModule,
        MonitoringModule,
        SettingsModule,
        AlertsModule,
        NotificationsModule,
        DcaModule,
        AnalyticsModule,
        MlModule,
        SignalsModule,
        IntegrationsModule.forRoot(threeCommas),
        SyncModule,
      ],
    };
  }
}
