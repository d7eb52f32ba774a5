import { ActionResultDto } from '../platform/http/action-result.dto';
import { Caller, type CallerContext } from '../platform/access/principal';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, RateLimit } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { ApiError } from '../platform/http/api-error';
import { pageOf, PageQueryDto } from '../platform/http/page.dto';
import { validateInput } from '../platform/http/validate-input';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { ApiKeysService, toApiKeyResponse } from './api-keys.service';
import { Audited } from './audited.decorator';
import {
  ApiKeyListDto,
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreateApiKeyQueryDto,
  CreatedApiKeyResponseDto,
  UpdateApiKeyDto,
} from './dto/api-key.dto';

import { actorOf } from './request-actor';

function isEmpty(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0)
  );
}

@ApiTags('api-keys')
@Controller('keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'List API keys (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyListDto, description: 'A page of keys; revoked keys are not listed' })
  async list(@Query() page: PageQueryDto): Promise<ApiKeyListDto> {
    const { items, total } = await this.keys.list(page.limit, page.offset);
    return pageOf(items.map(toApiKeyResponse), total, page);
  }

  // No Idempotency-Key here: replaying would mean storing the new key's secret with the response.
  @Post()
  @Auth(Role.SUPER_ADMIN)
  @RateLimit('keyCreation')
  @ApiOperation({
    summary: 'Create an API key; the key is in this response only. JSON body, or the query form of seed 003',
  })
  @ApiBody({ type: CreateApiKeyDto, required: false })
  @ApiQuery({ name: 'name', required: false, type: String })
  @ApiQuery({ name: 'permissions', required: false, type: String, description: 'Comma-separated roles' })
  @ApiQuery({ name: 'rate_limit', required: false, type: Number })
  @ApiQuery({ name: 'expires_days', required: false, type: Number })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto, description: 'The new key, with its secret' })
  async create(
    @Body() body: unknown,
    @Query() query: unknown,
    @Caller() caller: CallerContext,
  ): Promise<CreatedApiKeyResponseDto> {
    return this.keys.create(await this.createInput(body, query), actorOf(caller));
  }

  @Get(':id')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'One API key' })
  @ApiOkResponse({ type: ApiKeyResponseDto, description: 'The key' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such key' })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ApiKeyResponseDto> {
    return toApiKeyResponse(await this.keys.get(id));
  }

  @Patch(':id')
  @Auth(Role.ADMIN)
  @Audited('key.update')
  @ApiOperation({ summary: 'Rename, enable or disable a key, or change its hourly limit' })
  @ApiOkResponse({ type: ApiKeyResponseDto, description: 'The updated key' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such key' })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateApiKeyDto,
  ): Promise<ApiKeyResponseDto> {
    return toApiKeyResponse(await this.keys.update(id, dto));
  }

  @Delete(':id')
  @Auth(Role.ADMIN)
  @Audited('key.revoke')
  @ApiOperation({ summary: 'Revoke a key for good' })
  @ApiOkResponse({ type: ActionResultDto, description: 'Revoked' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such key' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<ActionResultDto> {
    await this.keys.revoke(id);
    return { success: true, message: `API key ${id} revoked` };
  }

  @Post(':id/rotate')
  @Auth(Role.SUPER_ADMIN)
  @Audited('key.rotate')
  @ApiOperation({ summary: 'Give the key a new secret; the old one stops working at once' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto, description: 'The key with its new secret' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such key' })
  async rotate(@Param('id', new ParseUUIDPipe()) id: string): Promise<CreatedApiKeyResponseDto> {
    return this.keys.rotate(id);
  }

  /** The JSON body, or else seed 003's query parameters; never both. */
  private async createInput(body: unknown, query: unknown): Promise<CreateApiKeyDto> {
    if (!isEmpty(body)) {
      if (!isEmpty(query))
        throw ApiError.validation('Send the key either as a JSON body or as query parameters, not both');
      return validateInput(CreateApiKeyDto, body, 'body');
    }
    const form = await validateInput(CreateApiKeyQueryDto, query, 'query');
    if (!form.name || !form.permissions) throw ApiError.validation('name and permissions are required');
    return validateInput(
      CreateApiKeyDto,
      {
        name: form.name,
        permissions: form.permissions,
        rateLimit: form.rate_limit,
        expiresDays: form.expires_days,
      },
      'body',
    );
  }
}
