import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BalancesService } from '../exchange/balances.service';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { Clock } from '../platform/time/clock';
import { TradingStatusDto } from './dto/trading-status.dto';
import { TradeGuard } from './trade-guard.service';
import { OrderReconciler } from './order-reconciler.service';
import { toPositionDto } from './trade-view';
import { TradeQueries } from './trade-queries.service';

@ApiTags('trading')
@Controller('trading')
export class TradingStatusController {
  constructor(
    private readonly trades: TradeQueries,
    private readonly balances: BalancesService,
    private readonly reconciler: OrderReconciler,
    private readonly guard: TradeGuard,
    private readonly settings: RuntimeSettings,
    private readonly clock: Clock,
  ) {}

  @Get('status')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Trading at a glance: enabled, portfolio value, open positions, PnL today, last trade',
  })
  @ApiOkResponse({ type: TradingStatusDto })
  async status(): Promise<TradingStatusDto> {
    const [summary, portfolio, positions] = await Promise.all([
      this.trades.summary(),
      this.balances.paperBalances(),
      this.trades.positions(50, 0),
    ]);
    return {
      active: this.settings.section('trading').enabled,
      mode: 'paper',
      portfolioValue: portfolio.totalUsdValue,
      ...summary,
      positions: positions.rows.map((row) => toPositionDto(row, positions.prices.get(row.id) ?? null)),
      lastReconciliation: this.reconciler.lastReport?.finishedAt ?? null,
      reconciliationLeader: this.reconciler.leader,
      guardLeader: this.guard.leader,
      timestamp: new Date(this.clock.nowMs()).toISOString(),
    };
  }
}
