import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { EquityPointDto, EquityQueryDto } from './dto/equity.dto';
import { EquityHistory } from './equity-history.service';
import { PerformanceDto, PerformanceQueryDto } from './dto/performance.dto';
import { PerformanceReport } from './performance.service';
import { RiskDto, RiskQueryDto } from './dto/risk.dto';
import { RiskReport } from './risk.service';
import { AnalyticsScopeQueryDto } from './dto/equity.dto';
import { BioEnergyDto, FibonacciDto, FibonacciQueryDto } from './dto/fibonacci.dto';
import { FibonacciDashboard } from './fibonacci-dashboard.service';

@ApiTags('analytics')
@Controller('analytics')
export class AnalyticsController {
  constructor(
    private readonly equityHistory: EquityHistory,
    private readonly performanceReport: PerformanceReport,
    private readonly riskReport: RiskReport,
    private readonly dashboard: FibonacciDashboard,
  ) {}

  @Get('equity')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "Equity history of a bot or an account (default: the paper account 'default'), oldest first, at most 2,000 points; the X-Equity-Resolution header names the resolution",
  })
  @ApiOkResponse({ type: [EquityPointDto] })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such bot or account' })
  async equity(
    @Query() query: EquityQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EquityPointDto[]> {
    const { resolution, points } = await this.equityHistory.equity(query);
    void reply.header('X-Equity-Resolution', resolution);
    return points;
  }

  @Get('performance')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      'Performance of a bot, an account or every trade over a period: equity metrics from daily closes (Sharpe, Sortino, Calmar, drawdown with dates...) and trade metrics from the ledger (win rate, profit factor, expectancy, per symbol); a field is null with its reason in `unavailable`',
  })
  @ApiOkResponse({ type: PerformanceDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such bot or account' })
  performance(@Query() query: PerformanceQueryDto): Promise<PerformanceDto> {
    return this.performanceReport.performance(query);
  }

  @Get('risk')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "What a bot or an account (default: the paper account 'default') holds and risks now: exposure, open risk to the stops, concentration, leverage, historical one-day VaR/CVaR, beta to BTC/USDT, correlations",
  })
  @ApiOkResponse({ type: RiskDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such bot or account' })
  risk(@Query() query: RiskQueryDto): Promise<RiskDto> {
    return this.riskReport.risk(query);
  }

  @Get('fibonacci')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "Seed 000's Fibonacci dashboard: each symbol's latest swing (last 100 hourly candles) with its retracement and extension levels and where the price sits, the open positions against them, phi resonance, position balance, harmonic state; cached 60 s (refresh=true recomputes)",
  })
  @ApiOkResponse({ type: FibonacciDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such bot or account' })
  fibonacci(@Query() query: FibonacciQueryDto): Promise<FibonacciDto> {
    return this.dashboard.fibonacci(query);
  }

  @Get('bio-energy')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "Seed 000's energy scores (0-100) as a documented heuristic over momentum, volume surge, volatility and the positions' PnL",
  })
  @ApiOkResponse({ type: BioEnergyDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such bot or account' })
  bioEnergy(@Query() query: AnalyticsScopeQueryDto): Promise<BioEnergyDto> {
    return this.dashboard.bioEnergy(query);
  }
}
