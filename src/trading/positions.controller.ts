import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Audited } from '../auth/audited.decorator';
import { Caller, type CallerContext } from '../platform/access/principal';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { pageOf, PageQueryDto } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { ClosePositionDto, PositionDto, PositionListDto } from './dto/position.dto';
import {
  AddClosedPositionDto,
  AddClosedPositionResultDto,
  ClosedPositionListDto,
  PositionHistoryQueryDto,
} from './dto/position-history.dto';
import { PositionHistoryService } from './position-history.service';
import { TradePrices } from './trade-prices.service';
import { TradeQueries } from './trade-queries.service';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { toPositionDto } from './trade-view';
import { TradesService } from './trades.service';

@ApiTags('trading')
@Controller('positions')
export class PositionsController {
  constructor(
    private readonly trades: TradesService,
    private readonly queries: TradeQueries,
    private readonly prices: TradePrices,
    private readonly closedPositions: PositionHistoryService,
  ) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Open positions with entry, stop, size and PnL in quote currency and in R' })
  @ApiOkResponse({ type: PositionListDto })
  async list(@Query() page: PageQueryDto): Promise<PositionListDto> {
    const { rows, total, prices } = await this.queries.positions(page.limit, page.offset);
    return pageOf(
      rows.map((row) => toPositionDto(row, prices.get(row.id) ?? null)),
      total,
      page,
    );
  }

  @Get('history')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Closed positions, newest first, with Fibonacci entry/exit harmony and alignment (seed 000)',
  })
  @ApiOkResponse({ type: ClosedPositionListDto })
  async history(@Query() query: PositionHistoryQueryDto): Promise<ClosedPositionListDto> {
    const { items, total } = await this.closedPositions.list(query.limit, query.offset);
    return { ...pageOf(items, total, query), count: total };
  }

  @Post('history')
  @Auth(Role.CONTROL)
  @Audited('position.record')
  @Idempotent()
  @ApiOperation({
    summary: 'Record a closed position traded elsewhere (it joins the trade history and analytics)',
  })
  @ApiCreatedResponse({ type: AddClosedPositionResultDto })
  async add(
    @Body() dto: AddClosedPositionDto,
    @Caller() caller: CallerContext,
  ): Promise<AddClosedPositionResultDto> {
    const id = await this.closedPositions.add(dto, caller.key);
    return { success: true, id, message: 'Position added to history' };
  }

  @Post(':id/close')
  @Auth(Role.CONTROL)
  @Audited('position.close')
  @Idempotent()
  @ApiOperation({ summary: 'Close a position at market, all of it or `amount` of it' })
  @ApiCreatedResponse({ type: PositionDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such position' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not open' })
  async close(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: ClosePositionDto,
    @Caller() caller: CallerContext,
  ): Promise<PositionDto> {
    const trade = await this.trades.close(
      id,
      'manual',
      caller.key,
      dto.amount === undefined ? undefined : String(dto.amount),
    );
    return toPositionDto(trade, await this.prices.priceOf(trade));
  }
}
