import { Injectable } from '@nestjs/common';
import { MarketSimulationService } from '../market/market-simulation.service';
import { Clock } from '../platform/time/clock';
import { ApiError } from '../platform/http/api-error';
import { BalancesResponseDto } from './dto/balance.dto';
import { decimalNumber, Money } from '../platform/decimal/money';
import { MAX_PAGE_SIZE, PageQueryDto, pageOf } from '../platform/http/page.dto';
import { DEFAULT_PAPER_ACCOUNT, PaperExchangeService } from './paper/paper-exchange.service';

/** Balances with their value in USDT at the current price (amounts stay exact until printed). */
@Injectable()
export class BalancesService {
  constructor(
    private readonly paper: PaperExchangeService,
    private readonly simulation: MarketSimulationService,
    private readonly clock: Clock,
  ) {}

  async paperBalances(
    page: PageQueryDto = { limit: MAX_PAGE_SIZE, offset: 0 },
    account = DEFAULT_PAPER_ACCOUNT,
  ): Promise<BalancesResponseDto> {
    const exchange =
      account === DEFAULT_PAPER_ACCOUNT
        ? await this.paper.account(account)
        : await this.paper.existing(account);
    if (!exchange) throw ApiError.notFound(`No paper account ${account}`);
    const now = this.clock.nowMs();
    let totalUsd = new Money(0);
    const items = (await exchange.balances()).map((balance) => {
      const price = this.usdtPrice(balance.currency, now);
      const usdValue = new Money(balance.total).times(price);
      totalUsd = totalUsd.plus(usdValue);
      return {
        currency: balance.currency,
        free: Number(balance.free),
        used: Number(balance.used),
        total: Number(balance.total),
        usdValue: decimalNumber(usdValue),
      };
    });
    return {
      exchange: exchange.exchangeId,
      account,
      ...pageOf(items.slice(page.offset, page.offset + page.limit), items.length, page),
      totalUsdValue: decimalNumber(totalUsd),
      timestamp: new Date(now).toISOString(),
    };
  }

  private usdtPrice(currency: string, now: number): number {
    if (currency === 'USDT' || currency === 'USDC' || currency === 'USD') return 1;
    const index = this.simulation.quotes.pairIndex(`${currency}/USDT`);
    return index < 0 ? 0 : this.simulation.quotes.priceAt(index, now);
  }
}
