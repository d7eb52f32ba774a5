import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
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
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { AlertSilencesService } from './alert-silences.service';
import { toSilenceDto } from './alert-view';
import { CreateSilenceDto, SilenceDto, SilenceListDto, SilenceQueryDto } from './dto/alert-silence.dto';

@ApiTags('alerts')
@Controller('alerts/silences')
export class AlertSilencesController {
  constructor(private readonly silences: AlertSilencesService) {}

  @Post()
  @Auth(Role.CONTROL)
  @Audited('alert.silence.create')
  @ApiOperation({
    summary: 'Silences the alerts matching every matcher until a time: they are stored, not notified',
  })
  @ApiCreatedResponse({ type: SilenceDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'No matcher, or an end not in the future' })
  async create(@Body() dto: CreateSilenceDto, @Caller() caller: CallerContext): Promise<SilenceDto> {
    const silence = await this.silences.create(dto, actorNameOf(caller));
    return toSilenceDto(silence, this.silences.isActive(silence));
  }

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Silences, newest first (the 500 newest)' })
  @ApiOkResponse({ type: SilenceListDto })
  async list(@Query() query: SilenceQueryDto): Promise<SilenceListDto> {
    const silences = await this.silences.list(query.activeOnly ?? false);
    return { silences: silences.map((silence) => toSilenceDto(silence, this.silences.isActive(silence))) };
  }

  @Delete(':id')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('alert.silence.expire')
  @ApiOperation({ summary: 'Ends a silence now (kept, as expired)' })
  @ApiOkResponse({ type: SilenceDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already ended' })
  async expire(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: CallerContext): Promise<SilenceDto> {
    return toSilenceDto(await this.silences.expire(id, actorNameOf(caller)), false);
  }
}
