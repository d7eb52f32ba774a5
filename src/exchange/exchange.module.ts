import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { ExchangeAccount } from './exchange-account.entity';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { ExchangeAccountHealthService } from './exchange-account-health.service';
import { ExchangeCatalog } from './exchange-catalog.service';
import {
  EXCHANGE_CONNECTOR_OPTIONS,
  ExchangeConnector,
  ExchangeConnectorOptions,
} from './exchange-connector.service';
import { BalancesController } from './balances.controller';
import { BalancesService } from './balances.service';
import { ExchangeController } from './exchange.controller';
import { ExchangeTraffic } from './exchange-traffic';
import { ExchangeStreams } from './exchange-streams.service';
import { ExchangeHealth } from './exchange-health';
import { PaperExchangeService } from './paper/paper-exchange.service';
import { PaperAccount } from './paper/paper-account.entity';
import { PaperBalance } from './paper/paper-balance.entity';
import { PaperFill } from './paper/paper-fill.entity';
import { PaperOrder } from './paper/paper-order.entity';

/**
 * Exchanges: the ccxt catalogue, exchange accounts and their live connections, the paper exchange,
 * balances. `forRoot` takes the connector's options (tests point every account at a fake exchange).
 */
@Module({})
export class ExchangeModule {
  static forRoot(options: ExchangeConnectorOptions = {}): DynamicModule {
    return {
      module: ExchangeModule,
      // Configured once by the app; the modules that trade use its exports without importing it again.
      global: true,
      imports: [
        TypeOrmModule.forFeature([ExchangeAccount, PaperAccount, PaperBalance, PaperOrder, PaperFill]),
        MarketModule,
      ],
      controllers: [ExchangeController, BalancesController],
      providers: [
        { provide: EXCHANGE_CONNECTOR_OPTIONS, useValue: options },
        ExchangeCatalog,
        ExchangeAccountsService,
        ExchangeConnector,
        ExchangeAccountHealthService,
        PaperExchangeService,
        BalancesService,
        ExchangeHealth,
        ExchangeTraffic,
        ExchangeStreams,
      ],
      exports: [
        ExchangeStreams,
        ExchangeCatalog,
        ExchangeAccountsService,
        ExchangeConnector,
        PaperExchangeService,
        BalancesService,
        ExchangeTraffic,
      ],
    };
  }
}
