import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Caller, type CallerContext } from '../platform/access/principal';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { SIMULATED_EXCHANGE } from '../market/market-simulation.service';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { Backtest } from './backtest.entity';
import { BacktestsService } from './backtests.service';
import { BacktestDto, CreateBacktestDto } from './dto/backtest.dto';

function toBacktestDto(job: Backtest): BacktestDto {
  return {
    id: job.id,
    status: job.status,
    progress: job.progress,
    // Jobs stored before exchange backtests existed ran on the simulated market.
    request: {
      ...job.request,
      kind: job.request.kind ?? 'strategy',
      accountId: job.request.accountId ?? null,
      exchange: job.request.exchange ?? SIMULATED_EXCHANGE,
      slippageBps: job.request.slippageBps ?? null,
    },
    metrics: job.metrics,
    equity: job.equity,
    trades: job.trades,
    dcaMetrics: job.dcaMetrics,
    deals: job.deals,
    candles: job.candles,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

@ApiTags('backtests')
@Controller('backtests')
export class BacktestsController {
  constructor(private readonly backtests: BacktestsService) {}

  @Post()
  @HttpCode(202)
  @Auth(Role.CONTROL)
  @Audited('backtest.create')
  @ApiOperation({ summary: 'Queues a backtest of a preset over stored candles; poll GET /api/backtests/:id' })
  @ApiAcceptedResponse({ type: BacktestDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such preset or exchange account' })
  async create(@Body() dto: CreateBacktestDto, @Caller() caller: CallerContext): Promise<BacktestDto> {
    return toBacktestDto(await this.backtests.create(dto, caller.key));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('backtest.cancel')
  @ApiOperation({ summary: 'Cancels a queued or running backtest; a running one stops within a second' })
  @ApiOkResponse({ type: BacktestDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The backtest has already finished' })
  async cancel(@Param('id', ParseUUIDPipe) id: string): Promise<BacktestDto> {
    return toBacktestDto(await this.backtests.cancel(id));
  }

  @Get(':id')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Status, progress, metrics, equity curve and trades of a backtest' })
  @ApiOkResponse({ type: BacktestDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<BacktestDto> {
    return toBacktestDto(await this.backtests.get(id));
  }
}
