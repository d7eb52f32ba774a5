import { Body, Controller, Get, Headers, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { actorNameOf, Caller, CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { AppConfig } from '../platform/config/app-config';
import { PageQueryDto, pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { RuntimeSettings, SettingsUpdateResult } from '../platform/settings/runtime-settings';
import {
  ConfigDto,
  ConfigPostDto,
  ConfigRollbackDto,
  ConfigUpdateResultDto,
  ConfigVersionListDto,
  SettingsPatchDto,
} from './dto/config.dto';
import { expectedVersionOf } from './if-match';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The settings version read (GET /api/config, or its ETag): another one current is a 409',
  example: '"3"',
};

function resultOf(result: SettingsUpdateResult, validateOnly = false): ConfigUpdateResultDto {
  const paths = result.changes.map((change) => change.path);
  return {
    success: true,
    message: validateOnly
      ? `Configuration is valid; nothing changed (${paths.length} field(s) would change)`
      : result.written
        ? 'Configuration updated successfully'
        : 'Nothing to change: the settings already hold these values',
    updatedFields: validateOnly ? [] : paths,
    restartRequired: false,
    version: result.version,
  };
}

/** The runtime settings (seeds 001, 003, 004): read, changed in part, versioned, rolled back. */
@ApiTags('config')
@Controller('config')
export class ConfigController {
  constructor(
    private readonly settings: RuntimeSettings,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Every runtime setting with its value (secrets and boot-only settings are not settings)',
  })
  @ApiOkResponse({ type: ConfigDto, description: 'The ETag header holds the version' })
  get(@Res({ passthrough: true }) reply: FastifyReply): ConfigDto {
    void reply.header('ETag', `"${this.settings.version}"`);
    return {
      environment: this.config.nodeEnv,
      version: this.settings.version,
      lastUpdated: this.settings.updatedAt.toISOString(),
      settings: this.settings.document,
    };
  }

  @Put()
  @Auth(Role.ADMIN)
  @Audited('config.update')
  @ApiOperation({
    summary: 'Changes part of the settings (a deep merge); in force at once, in every instance',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ConfigUpdateResultDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'Each bad field by its path; nothing changed',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'If-Match is not the current version' })
  async put(
    @Body() patch: SettingsPatchDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Caller() caller: CallerContext,
  ): Promise<ConfigUpdateResultDto> {
    const result = await this.settings.update({
      patch: { ...patch },
      prefix: '',
      author: actorNameOf(caller),
      expectedVersion: expectedVersionOf(ifMatch),
    });
    return resultOf(result);
  }

  @Post()
  @HttpCode(200)
  @Auth(Role.ADMIN)
  @Audited('config.update')
  @ApiOperation({
    summary: 'Changes part of the settings, or only validates them (validateOnly): seeds 001 and 003',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ConfigUpdateResultDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'Each bad field by its path; nothing changed',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'If-Match or expectedVersion is not current' })
  async post(
    @Body() dto: ConfigPostDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Caller() caller: CallerContext,
  ): Promise<ConfigUpdateResultDto> {
    const result = await this.settings.update({
      patch: dto.settings,
      prefix: 'settings',
      author: actorNameOf(caller),
      comment: dto.comment,
      expectedVersion: dto.expectedVersion ?? expectedVersionOf(ifMatch),
      validateOnly: dto.validateOnly === true,
    });
    return resultOf(result, dto.validateOnly === true);
  }

  @Get('history')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'Versions of the settings, newest first: who, when, and each changed path' })
  @ApiOkResponse({ type: ConfigVersionListDto })
  async history(@Query() page: PageQueryDto): Promise<ConfigVersionListDto> {
    const { items, total } = await this.settings.history(page.limit, page.offset);
    return pageOf(
      items.map((version) => ({
        version: version.version,
        author: version.author,
        createdAt: version.createdAt.toISOString(),
        comment: version.comment,
        changes: version.changes,
      })),
      total,
      page,
    );
  }

  @Post('rollback')
  @HttpCode(200)
  @Auth(Role.ADMIN)
  @Audited('config.rollback')
  @ApiOperation({ summary: "Makes an old version's settings current again, as a new version" })
  @ApiOkResponse({ type: ConfigUpdateResultDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such version' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'expectedVersion is not current' })
  async rollback(
    @Body() dto: ConfigRollbackDto,
    @Caller() caller: CallerContext,
  ): Promise<ConfigUpdateResultDto> {
    return resultOf(await this.settings.rollback(dto.version, actorNameOf(caller), dto.expectedVersion));
  }
}
