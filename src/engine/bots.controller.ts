import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Caller, type CallerContext } from '../platform/access/principal';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { PageQueryDto, pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { BotDto, BotListDto, CommandResultDto, CreateBotDto, EngineCommandDto } from './dto/engine.dto';
import { commandCaller } from './command-caller';
import { EngineReports } from './engine-reports';
import { BotsService } from './bots.service';
import { EngineCommands } from './engine-commands';

/** Several bots at once, each a preset on an exchange account in a mode. */
@ApiTags('engine')
@Controller('bots')
export class BotsController {
  constructor(
    private readonly bots: BotsService,
    private readonly commands: EngineCommands,
    private readonly reports: EngineReports,
  ) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Every bot with its status and metrics' })
  @ApiOkResponse({ type: BotListDto })
  async list(@Query() page: PageQueryDto): Promise<BotListDto> {
    const { items: bots, total } = await this.bots.list(page.limit, page.offset);
    const items = await Promise.all(bots.map((bot) => this.reports.bot(bot)));
    return pageOf(items, total, page);
  }

  @Post()
  @Auth(Role.CONTROL)
  @Audited('bot.create')
  @ApiOperation({ summary: 'Creates a bot (and starts it with start: true)' })
  @ApiCreatedResponse({ type: BotDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken' })
  async create(@Body() dto: CreateBotDto, @Caller() caller: CallerContext): Promise<BotDto> {
    const { start, ...settings } = dto;
    let bot = await this.bots.create(settings);
    if (start) bot = (await this.commands.command(bot.id, 'start', commandCaller(caller))).bot;
    return this.reports.bot(bot);
  }

  @Get(':id')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'One bot with its status and metrics' })
  @ApiOkResponse({ type: BotDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<BotDto> {
    return this.reports.bot(await this.bots.get(id));
  }

  @Post(':id/command')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('bot.command')
  @ApiOperation({ summary: 'A command to one bot; reset_kill_switch needs ADMIN' })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The command does not apply in the current state',
  })
  async command(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: EngineCommandDto,
    @Caller() caller: CallerContext,
  ): Promise<CommandResultDto> {
    const outcome = await this.commands.command(id, dto.command, {
      ...commandCaller(caller),
      parameters: dto.parameters,
      reason: dto.reason,
    });
    return this.reports.commandResult(dto.command, outcome);
  }
}
