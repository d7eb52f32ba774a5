import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { Caller, type CallerContext } from '../platform/access/principal';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { StampedResultDto } from '../platform/http/action-result.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { Clock } from '../platform/time/clock';
import {
  CommandResultDto,
  EngineCommandDto,
  EngineMetricsDto,
  EngineStartDto,
  EngineStatusDto,
  EngineStopDto,
} from './dto/engine.dto';
import { commandCaller } from './command-caller';
import { EngineReports } from './engine-reports';
import { BotsService, DEFAULT_BOT } from './bots.service';
import { EngineCommands } from './engine-commands';

/** Seed 002's engine routes: they act on the default bot. */
@ApiTags('engine')
@Controller('engine')
export class EngineController {
  constructor(
    private readonly bots: BotsService,
    private readonly commands: EngineCommands,
    private readonly reports: EngineReports,
    private readonly clock: Clock,
  ) {}

  @Get('status')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'State of the default bot (seed 002)' })
  @ApiOkResponse({ type: EngineStatusDto })
  async status(): Promise<EngineStatusDto> {
    return this.reports.status(await this.bots.byName(DEFAULT_BOT));
  }

  @Get('metrics')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Cycles, latency, signals, trades and R of the default bot (seed 002)' })
  @ApiOkResponse({ type: EngineMetricsDto })
  async metrics(): Promise<EngineMetricsDto> {
    return this.reports.metrics(await this.bots.byName(DEFAULT_BOT));
  }

  @Post('start')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('engine.start')
  @ApiOperation({ summary: 'Starts the default bot with a preset in paper or live mode' })
  @ApiOkResponse({ type: StampedResultDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Kill switch set, or running another preset' })
  async start(@Body() dto: EngineStartDto, @Caller() caller: CallerContext): Promise<StampedResultDto> {
    const bot = await this.bots.configureDefault(dto);
    const outcome = await this.commands.command(bot.id, 'start', commandCaller(caller));
    return { success: true, message: outcome.message, timestamp: this.clock.now().toISOString() };
  }

  @Post('stop')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('engine.stop')
  @ApiOperation({
    summary: 'Stops the default bot (optionally canceling its orders); positions stay and are guarded',
  })
  @ApiOkResponse({ type: StampedResultDto })
  async stop(@Body() dto: EngineStopDto, @Caller() caller: CallerContext): Promise<StampedResultDto> {
    const bot = await this.bots.byName(DEFAULT_BOT);
    const message = bot
      ? (
          await this.commands.command(bot.id, 'stop', {
            ...commandCaller(caller),
            parameters: { cancelOrders: dto.cancelOrders === true },
          })
        ).message
      : 'Engine is not running';
    return { success: true, message, timestamp: this.clock.now().toISOString() };
  }

  @Post('command')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('engine.command')
  @ApiOperation({ summary: 'A command to the default bot; reset_kill_switch needs ADMIN' })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The command does not apply in the current state',
  })
  async command(@Body() dto: EngineCommandDto, @Caller() caller: CallerContext): Promise<CommandResultDto> {
    const bot = await this.bots.byName(DEFAULT_BOT);
    if (!bot) throw BotsService.noDefaultBot();
    const outcome = await this.commands.command(bot.id, dto.command, {
      ...commandCaller(caller),
      parameters: dto.parameters,
      reason: dto.reason,
    });
    return this.reports.commandResult(dto.command, outcome);
  }
}
