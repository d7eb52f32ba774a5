import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { actorOf } from '../auth/request-actor';
import { Auth } from '../platform/access/access.decorators';
import { Caller, type CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { ActionResultDto } from '../platform/http/action-result.dto';
import { PageQueryDto, pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import {
  CreateThreeCommasAccountDto,
  StartThreeCommasDealDto,
  ThreeCommasAccountDto,
  ThreeCommasAccountListDto,
  ThreeCommasBotDto,
  ThreeCommasBotListDto,
  ThreeCommasBotQueryDto,
  ThreeCommasConnectionQueryDto,
  ThreeCommasDealListDto,
  ThreeCommasDealQueryDto,
  ThreeCommasHealthDto,
} from './dto/three-commas.dto';
import { ThreeCommasService, toThreeCommasAccountDto } from './three-commas.service';

const UPSTREAM_ERRORS = [
  ApiBadGatewayResponse({
    type: ErrorResponseDto,
    description: '3Commas refused our credentials or answered oddly',
  }),
  ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: '3Commas did not answer, or blocks us (429/418) until Retry-After',
  }),
];

@ApiTags('integrations')
@Controller('integrations/3commas')
export class ThreeCommasController {
  constructor(private readonly threeCommas: ThreeCommasService) {}

  @Get('accounts')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: '3Commas connections (credentials are never returned)' })
  @ApiOkResponse({ type: ThreeCommasAccountListDto })
  async accounts(@Query() page: PageQueryDto): Promise<ThreeCommasAccountListDto> {
    const { items, total } = await this.threeCommas.list(page.limit, page.offset);
    return pageOf(items.map(toThreeCommasAccountDto), total, page);
  }

  @Post('accounts')
  @Auth(Role.ADMIN)
  @Idempotent()
  @ApiOperation({ summary: 'Connect a 3Commas API key; key and secret are stored encrypted' })
  @ApiCreatedResponse({ type: ThreeCommasAccountDto })
  async create(
    @Body() dto: CreateThreeCommasAccountDto,
    @Caller() caller: CallerContext,
  ): Promise<ThreeCommasAccountDto> {
    return toThreeCommasAccountDto(await this.threeCommas.create(dto, actorOf(caller)));
  }

  @Delete('accounts/:id')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'Remove a 3Commas connection and its credentials' })
  @ApiOkResponse({ type: ActionResultDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async remove(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Caller() caller: CallerContext,
  ): Promise<ActionResultDto> {
    await this.threeCommas.remove(id, actorOf(caller));
    return { success: true, message: `3Commas connection ${id} removed` };
  }

  @Get('health')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: "A live check of a 3Commas connection: its exchange accounts' value and enabled bots",
    description:
      'An unreachable or refusing 3Commas is reported (connected: false with its error), not a 5xx.',
  })
  @ApiOkResponse({ type: ThreeCommasHealthDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such connection' })
  health(@Query() query: ThreeCommasConnectionQueryDto): Promise<ThreeCommasHealthDto> {
    return this.threeCommas.health(query.accountId);
  }

  @Get('bots')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: "The connection's bots, from 3Commas' API" })
  @ApiOkResponse({ type: ThreeCommasBotListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @(UPSTREAM_ERRORS[0])
  @(UPSTREAM_ERRORS[1])
  bots(@Query() query: ThreeCommasBotQueryDto): Promise<ThreeCommasBotListDto> {
    return this.threeCommas.bots(query);
  }

  @Get('deals')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: "The connection's deals, from 3Commas' API (oldest first)" })
  @ApiOkResponse({ type: ThreeCommasDealListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @(UPSTREAM_ERRORS[0])
  @(UPSTREAM_ERRORS[1])
  deals(@Query() query: ThreeCommasDealQueryDto): Promise<ThreeCommasDealListDto> {
    return this.threeCommas.deals(query);
  }

  @Post('bots/:id/enable')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('three_commas.bot.enable')
  @ApiOperation({ summary: 'Enable a 3Commas bot' })
  @ApiOkResponse({ type: ThreeCommasBotDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @(UPSTREAM_ERRORS[0])
  @(UPSTREAM_ERRORS[1])
  enable(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: ThreeCommasConnectionQueryDto,
  ): Promise<ThreeCommasBotDto> {
    return this.threeCommas.botAction(id, 'enable', query.accountId);
  }

  @Post('bots/:id/disable')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('three_commas.bot.disable')
  @ApiOperation({ summary: 'Disable a 3Commas bot (its open deals go on)' })
  @ApiOkResponse({ type: ThreeCommasBotDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @(UPSTREAM_ERRORS[0])
  @(UPSTREAM_ERRORS[1])
  disable(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: ThreeCommasConnectionQueryDto,
  ): Promise<ThreeCommasBotDto> {
    return this.threeCommas.botAction(id, 'disable', query.accountId);
  }

  @Post('bots/:id/start-new-deal')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('three_commas.bot.start-new-deal')
  @ApiOperation({ summary: 'Ask a 3Commas bot to open a deal now' })
  @ApiOkResponse({ type: ThreeCommasBotDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @(UPSTREAM_ERRORS[0])
  @(UPSTREAM_ERRORS[1])
  startNewDeal(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: ThreeCommasConnectionQueryDto,
    @Body() body: StartThreeCommasDealDto,
  ): Promise<ThreeCommasBotDto> {
    return this.threeCommas.botAction(id, 'start_new_deal', query.accountId, body?.symbol);
  }

  @Post('bots/:id/panic-sell-all')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('three_commas.bot.panic-sell-all')
  @ApiOperation({ summary: "Sell all of a 3Commas bot's open deals at market" })
  @ApiOkResponse({ type: ThreeCommasBotDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @(UPSTREAM_ERRORS[0])
  @(UPSTREAM_ERRORS[1])
  panicSellAll(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: ThreeCommasConnectionQueryDto,
  ): Promise<ThreeCommasBotDto> {
    return this.threeCommas.botAction(id, 'panic_sell_all_deals', query.accountId);
  }
}
