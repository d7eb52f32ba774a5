import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretBox } from '../platform/crypto/secret-box';
import { ExchangeAccount } from './exchange-account.entity';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { ExchangeCatalog } from './exchange-catalog.service';
import { ExchangeController } from './exchange.controller';

/** Exchanges: the ccxt catalogue and exchange accounts (the ExchangePort adapters build on these). */
@Module({
  imports: [TypeOrmModule.forFeature([ExchangeAccount])],
  controllers: [ExchangeController],
  providers: [ExchangeCatalog, ExchangeAccountsService, SecretBox],
  exports: [ExchangeCatalog, ExchangeAccountsService],
})
export class ExchangeModule {}
