import { ActionResultDto } from '../platform/http/action-result.dto';
import { Caller, type CallerContext } from '../platform/access/principal';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { actorOf } from '../auth/request-actor';
import { Auth } from '../platform/access/access.decorators';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { Role } from '../platform/access/role';
import { pageOf, PageQueryDto } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import {
  CreateExchangeAccountDto,
  ExchangeAccountDto,
  ExchangeAccountListDto,
  ExchangeListDto,
} from './dto/exchange.dto';
import { ExchangeAccountHealthDto } from './dto/account-health.dto';
import { ExchangeAccountHealthService } from './exchange-account-health.service';
import { ExchangeAccountsService, toExchangeAccountDto } from './exchange-accounts.service';
import { ExchangeCatalog } from './exchange-catalog.service';

@ApiTags('exchanges')
@Controller('exchanges')
export class ExchangeController {
  constructor(
    private readonly catalog: ExchangeCatalog,
    private readonly accounts: ExchangeAccountsService,
    private readonly healthChecks: ExchangeAccountHealthService,
  ) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Exchanges supported through ccxt, with their capabilities' })
  @ApiOkResponse({ type: ExchangeListDto, description: 'A page of exchanges, by id' })
  async list(@Query() page: PageQueryDto): Promise<ExchangeListDto> {
    const all = await this.catalog.list();
    return pageOf(all.slice(page.offset, page.offset + page.limit), all.length, page);
  }

  @Get('accounts')
  @Auth(Role.ADMIN)
  @ApiOperation({
    summary: 'Exchange accounts (credentials are never returned, only the last 4 characters of the key)',
  })
  @ApiOkResponse({ type: ExchangeAccountListDto, description: 'A page of accounts' })
  async accountsList(@Query() page: PageQueryDto): Promise<ExchangeAccountListDto> {
    const { items, total } = await this.accounts.list(page.limit, page.offset);
    return pageOf(items.map(toExchangeAccountDto), total, page);
  }

  @Post('accounts')
  @Auth(Role.ADMIN)
  @Idempotent()
  @ApiOperation({ summary: 'Add an exchange account; key, secret and passphrase are stored encrypted' })
  @ApiCreatedResponse({ type: ExchangeAccountDto, description: 'The account, without its credentials' })
  async create(
    @Body() dto: CreateExchangeAccountDto,
    @Caller() caller: CallerContext,
  ): Promise<ExchangeAccountDto> {
    return toExchangeAccountDto(await this.accounts.create(dto, actorOf(caller)));
  }

  @Get('accounts/:id/health')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      'Checks an exchange account by calling its exchange: connected, account type, balance, trading enabled, last sync',
  })
  @ApiOkResponse({
    type: ExchangeAccountHealthDto,
    description: 'The check ran; `connected` and `error` tell how the exchange answered',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such account' })
  health(@Param('id', new ParseUUIDPipe()) id: string): Promise<ExchangeAccountHealthDto> {
    return this.healthChecks.check(id);
  }

  @Delete('accounts/:id')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'Remove an exchange account and its credentials' })
  @ApiOkResponse({ type: ActionResultDto, description: 'Removed' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such account' })
  async remove(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Caller() caller: CallerContext,
  ): Promise<ActionResultDto> {
    await this.accounts.remove(id, actorOf(caller));
    return { success: true, message: `Exchange account ${id} removed` };
  }
}
