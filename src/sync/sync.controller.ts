import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { actorNameOf, Caller, type CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { decimalNumber } from '../platform/decimal/money';
import { PageQueryDto, pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import {
  AccountSnapshotDto,
  ExchangeTradeListDto,
  StartSyncDto,
  SyncListQueryDto,
  SyncRunDto,
  SyncRunListDto,
  SyncStartedDto,
} from './dto/sync.dto';
import { SyncQueries } from './sync-queries.service';
import { SyncService, toSyncRunDto } from './sync.service';

@ApiTags('sync')
@Controller('sync')
export class SyncController {
  constructor(
    private readonly sync: SyncService,
    private readonly queries: SyncQueries,
  ) {}

  @Post()
  @HttpCode(202)
  @Auth(Role.ADMIN)
  @ApiOperation({
    summary: "Import an exchange account's trades, open orders and balances, or a 3Commas connection's deals",
    description:
      'A job (topic jobs): from where the last sync stopped, page by page; what is known already is not written again.',
  })
  @ApiAcceptedResponse({ type: SyncStartedDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such account or connection' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A sync of the account is queued or running' })
  start(@Body() dto: StartSyncDto, @Caller() caller: CallerContext): Promise<SyncStartedDto> {
    return this.sync.start(dto, actorNameOf(caller));
  }

  @Get()
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'Sync runs, newest first, with their counts and errors' })
  @ApiOkResponse({ type: SyncRunListDto })
  async list(@Query() query: SyncListQueryDto): Promise<SyncRunListDto> {
    const { items, total } = await this.sync.list(query);
    return pageOf(items.map(toSyncRunDto), total, query);
  }

  @Get('runs/:id')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'One sync run' })
  @ApiOkResponse({ type: SyncRunDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<SyncRunDto> {
    return toSyncRunDto(await this.sync.get(id));
  }

  @Get('accounts/:id/snapshot')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: "An exchange account's balances and open orders as its last sync found them" })
  @ApiOkResponse({ type: AccountSnapshotDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Not synced yet' })
  snapshot(@Param('id', new ParseUUIDPipe()) id: string): Promise<AccountSnapshotDto> {
    return this.queries.snapshot(id);
  }

  @Get('accounts/:id/trades')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: "An exchange account's trades imported by syncs, newest first" })
  @ApiOkResponse({ type: ExchangeTradeListDto })
  async trades(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() page: PageQueryDto,
  ): Promise<ExchangeTradeListDto> {
    const { items, total } = await this.queries.trades(id, page.limit, page.offset);
    return pageOf(
      items.map((trade) => ({
        symbol: trade.symbol,
        tradeId: trade.venueTradeId,
        exchangeOrderId: trade.venueOrderId,
        orderId: trade.orderId,
        side: trade.side,
        price: decimalNumber(trade.price),
        amount: decimalNumber(trade.amount),
        cost: decimalNumber(trade.cost),
        fee: decimalNumber(trade.fee),
        feeCurrency: trade.feeCurrency,
        executedAt: trade.executedAt.toISOString(),
      })),
      total,
      page,
    );
  }
}
