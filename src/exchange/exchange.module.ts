import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { ExchangeAccount } from './exchange-account.entity';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { ExchangeCatalog } from './exchange-catalog.service';
import { BalancesController } from './balances.controller';
import { BalancesService } from './balances.service';
import { ExchangeController } from './exchange.controller';
import { ExchangeHealth } from './exchange-health';
import { PaperExchangeService } from './paper/paper-exchange.service';
import { PaperAccount } from './paper/paper-account.entity';
import { PaperBalance } from './paper/paper-balance.entity';
import { PaperFill } from './paper/paper-fill.entity';
import { PaperOrder } from './paper/paper-order.entity';

/** Exchanges: the ccxt catalogue and exchange accounts (the ExchangePort adapters build on these). */
@Module({
  imports: [
    TypeOrmModule.forFeature([ExchangeAccount, PaperAccount, PaperBalance, PaperOrder, PaperFill]),
    MarketModule,
  ],
  controllers: [ExchangeController, BalancesController],
  providers: [
    ExchangeCatalog,
    ExchangeAccountsService,
    PaperExchangeService,
    BalancesService,
    ExchangeHealth,
  ],
  exports: [ExchangeCatalog, ExchangeAccountsService, PaperExchangeService],
})
export class ExchangeModule {}
