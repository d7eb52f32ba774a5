import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ExchangeModule } from './exchange/exchange.module';
import { MarketModule } from './market/market.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { AppConfig } from './platform/config/app-config';
import { PlatformModule } from './platform/platform.module';

/** The whole product: the platform and the domain modules. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(config), AuthModule, MarketModule, ExchangeModule, MonitoringModule],
    };
  }
}
