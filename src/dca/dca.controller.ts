import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { actorNameOf, Caller, CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { DcaDealQueries } from './dca-deal-queries.service';
import { DcaDealOpenings } from './dca-deal-openings.service';
import { DcaDeals } from './dca-deals.service';
import { DcaPlans } from './dca-plans.service';
import { DcaBots } from './dca-bots.service';
import { ApiError } from '../platform/http/api-error';
import { dealSettingsOf } from './dca-settings';
import {
  AddFundsDto,
  DealDetailDto,
  DealListDto,
  DealQueryDto,
  StartDealDto,
  UpdateTakeProfitDto,
} from './dto/dca-deal.dto';
import { DcaPlanDto, DcaPlanQueryDto } from './dto/dca-plan.dto';
import {
  DcaExecuteDto,
  DcaExecutionDto,
  DcaHistoryDto,
  DcaHistoryQueryDto,
  DcaStatusDto,
} from './dto/dca-seed.dto';
import { DcaTrades } from './dca-trades.service';

@ApiTags('dca')
@Controller('dca')
export class DcaController {
  constructor(
    private readonly plans: DcaPlans,
    private readonly deals: DcaDeals,
    private readonly openings: DcaDealOpenings,
    private readonly queries: DcaDealQueries,
    private readonly dcaTrades: DcaTrades,
    private readonly dcaBots: DcaBots,
    private readonly settings: RuntimeSettings,
  ) {}

  @Get('status')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'DCA on trades (seed 004): on or off, trades with it, attempts, fills, volume, recovery time',
  })
  @ApiOkResponse({ type: DcaStatusDto })
  status(): Promise<DcaStatusDto> {
    return this.queries.status();
  }

  @Post('execute')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('dca.execute')
  @ApiOperation({
    summary: 'A safety order at market on an open trade now, within its maxDcaAttempts (seed 004)',
  })
  @ApiOkResponse({ type: DcaExecutionDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'DCA_DISABLED, the trade is not open, or its attempts are used up',
  })
  execute(@Body() dto: DcaExecuteDto, @Caller() caller: CallerContext): Promise<DcaExecutionDto> {
    return this.dcaTrades.execute(dto.tradeId, dto.volume, dto.reason ?? 'manual_dca', actorNameOf(caller));
  }

  @Get('history')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'DCA attempts, newest first, with the success rate (seed 004)' })
  @ApiOkResponse({ type: DcaHistoryDto })
  history(@Query() query: DcaHistoryQueryDto): Promise<DcaHistoryDto> {
    return this.queries.history(query);
  }

  @Get('plan')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "The safety-order ladder a set of settings would place now: each order's deviation, price, size, cumulative cost, average entry and take profit, and the capital it needs",
  })
  @ApiOkResponse({ type: DcaPlanDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A bad setting or an unknown symbol' })
  plan(@Query() query: DcaPlanQueryDto): Promise<DcaPlanDto> {
    return this.plans.plan(query);
  }

  @Get('deals')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'DCA deals, newest first (filters: bot, symbol, status)' })
  @ApiOkResponse({ type: DealListDto })
  async list(@Query() query: DealQueryDto): Promise<DealListDto> {
    const { items, total } = await this.queries.list(query);
    return pageOf(items, total, query);
  }

  @Post('deals')
  @Auth(Role.CONTROL)
  @Audited('dca.deal.start')
  @ApiOperation({
    summary:
      'Starts a deal now: the base order at market, then the safety orders and the take profit (the whole ladder must be fundable)',
  })
  @ApiCreatedResponse({ type: DealDetailDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'A bad setting, or INSUFFICIENT_BALANCE with the amount needed',
  })
  async start(@Body() dto: StartDealDto, @Caller() caller: CallerContext): Promise<DealDetailDto> {
    const { symbol, accountId, botId, ...settings } = dto;
    if (botId && accountId)
      throw ApiError.validation("accountId: a bot's deal trades on the bot's account; leave accountId out");
    const given = Object.values(settings).some((value) => value !== undefined);
    const deal = botId
      ? await this.dcaBots.startForBot(botId, symbol, given ? settings : null, actorNameOf(caller))
      : await this.openings.start(
          { symbol, ...(accountId ? { accountId } : {}), settings: dealSettingsOf(settings, this.settings) },
          actorNameOf(caller),
        );
    return this.queries.detail(deal.id);
  }

  @Get('deals/:id')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "A deal with its ladder: every safety order's planned and actual price, size and state, average entry, take profit, PnL",
  })
  @ApiOkResponse({ type: DealDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  detail(@Param('id', ParseUUIDPipe) id: string): Promise<DealDetailDto> {
    return this.queries.detail(id);
  }

  @Post('deals/:id/add-funds')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('dca.deal.add_funds')
  @ApiOperation({
    summary: "Buys more at market now (outside the ladder's rungs); the take profit follows the new average",
  })
  @ApiOkResponse({ type: DealDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The deal is not bought, or is closing' })
  async addFunds(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AddFundsDto): Promise<DealDetailDto> {
    await this.deals.addFunds(id, dto.volume);
    return this.queries.detail(id);
  }

  @Post('deals/:id/update-take-profit')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('dca.deal.update_take_profit')
  @ApiOperation({ summary: 'A new target profit: the take-profit order is replaced at it' })
  @ApiOkResponse({ type: DealDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The deal has ended' })
  async updateTakeProfit(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateTakeProfitDto,
  ): Promise<DealDetailDto> {
    await this.deals.updateTakeProfit(id, dto.takeProfit);
    return this.queries.detail(id);
  }

  @Post('deals/:id/cancel')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('dca.deal.cancel')
  @ApiOperation({
    summary:
      'Ends the deal without selling: its resting orders are cancelled, the coins stay as an open trade',
  })
  @ApiOkResponse({ type: DealDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The deal has ended' })
  async cancel(@Param('id', ParseUUIDPipe) id: string): Promise<DealDetailDto> {
    await this.deals.cancel(id);
    return this.queries.detail(id);
  }

  @Post('deals/:id/panic-sell')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('dca.deal.panic_sell')
  @ApiOperation({ summary: 'Cancels the resting orders and sells the position at market now' })
  @ApiOkResponse({ type: DealDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The deal has ended' })
  async panicSell(@Param('id', ParseUUIDPipe) id: string): Promise<DealDetailDto> {
    await this.deals.panicSell(id);
    return this.queries.detail(id);
  }
}
