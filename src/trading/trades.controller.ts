import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
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
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import {
  CloseTradeDto,
  OpenTradeDto,
  TradeDetailDto,
  TradeDto,
  TradeHistoryQueryDto,
  TradeListDto,
  TradeQueryDto,
  UpdateTradeDto,
} from './dto/trade.dto';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { toTradeDto } from './trade-view';
import { TradePrices } from './trade-prices.service';
import { TradeQueries } from './trade-queries.service';
import { TradesService } from './trades.service';

function decimal(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

@ApiTags('trading')
@Controller('trades')
export class TradesController {
  constructor(
    private readonly trades: TradesService,
    private readonly queries: TradeQueries,
    private readonly prices: TradePrices,
  ) {}

  @Get('active')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Open trades (opening, open, closing) with current price and PnL; totals over all of them',
  })
  @ApiOkResponse({ type: TradeListDto })
  async active(@Query() query: TradeQueryDto): Promise<TradeListDto> {
    const result = await this.queries.active(query);
    return { ...result, limit: query.limit, offset: query.offset, count: result.total };
  }

  @Get('history')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'All trades, newest first, by creation date, symbol and status; realised totals' })
  @ApiOkResponse({ type: TradeListDto })
  async history(@Query() query: TradeHistoryQueryDto): Promise<TradeListDto> {
    const result = await this.queries.history(query);
    return { ...result, limit: query.limit, offset: query.offset, count: result.total };
  }

  @Get(':id')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'One trade with its orders and DCA history' })
  @ApiOkResponse({ type: TradeDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such trade' })
  detail(@Param('id', new ParseUUIDPipe()) id: string): Promise<TradeDetailDto> {
    return this.queries.detail(id);
  }

  @Post()
  @Auth(Role.CONTROL)
  @Audited('trade.open')
  @Idempotent()
  @ApiOperation({
    summary:
      'Open a trade by placing its entry order (market, or limit with price); stop loss and take profit are then watched',
  })
  @ApiCreatedResponse({ type: TradeDto })
  async open(@Body() dto: OpenTradeDto, @Caller() caller: CallerContext): Promise<TradeDto> {
    const trade = await this.trades.open(
      {
        symbol: dto.symbol,
        side: dto.side,
        amount: String(dto.amount),
        price: decimal(dto.price),
        stopLoss: decimal(dto.stopLoss),
        takeProfit: decimal(dto.takeProfit),
        dcaEnabled: dto.dcaEnabled,
        maxDcaAttempts: dto.maxDcaAttempts,
        accountId: dto.accountId,
      },
      caller.key,
    );
    return toTradeDto(trade, await this.prices.priceOf(trade));
  }

  @Patch(':id')
  @Auth(Role.CONTROL)
  @Audited('trade.update')
  @ApiOperation({ summary: "Move an open trade's stop loss or take profit (null removes it)" })
  @ApiOkResponse({ type: TradeDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The trade is closed' })
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateTradeDto): Promise<TradeDto> {
    const levels = {
      ...(dto.stopLoss !== undefined
        ? { stopLoss: dto.stopLoss === null ? null : String(dto.stopLoss) }
        : {}),
      ...(dto.takeProfit !== undefined
        ? { takeProfit: dto.takeProfit === null ? null : String(dto.takeProfit) }
        : {}),
    };
    const trade = await this.trades.updateLevels(id, levels, { checkAgainstPrice: true });
    return toTradeDto(trade, await this.prices.priceOf(trade));
  }

  @Post(':id/close')
  @Auth(Role.CONTROL)
  @Audited('trade.close')
  @Idempotent()
  @ApiOperation({ summary: 'Close a trade at market' })
  @ApiCreatedResponse({ type: TradeDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not an open position' })
  async close(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: CloseTradeDto,
    @Caller() caller: CallerContext,
  ): Promise<TradeDto> {
    const trade = await this.trades.close(id, dto.reason ?? 'manual', caller.key);
    return toTradeDto(trade, await this.prices.priceOf(trade));
  }
}
