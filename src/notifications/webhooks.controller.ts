import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { actorNameOf, Caller, CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { pageOf, PageQueryDto } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeliveryDto,
  DeliveryListDto,
  DeliveryQueryDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookListDto,
} from './dto/webhook.dto';
import { toDeliveryDto, toWebhookDto } from './webhook-view';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Auth(Role.ADMIN)
  @Audited('webhook.create')
  @ApiOperation({ summary: 'Adds a webhook; its signing secret is in this answer only' })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'Bad field, or a URL to an internal address',
  })
  async create(@Body() dto: CreateWebhookDto, @Caller() caller: CallerContext): Promise<CreatedWebhookDto> {
    const { webhook, secret } = await this.webhooks.create(dto, actorNameOf(caller));
    return { ...toWebhookDto(webhook), secret };
  }

  @Get()
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'Webhooks, oldest first' })
  @ApiOkResponse({ type: WebhookListDto })
  async list(@Query() query: PageQueryDto): Promise<WebhookListDto> {
    const { items, total } = await this.webhooks.list(query.limit, query.offset);
    return pageOf(items.map(toWebhookDto), total, query);
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(202)
  @Auth(Role.ADMIN)
  @Audited('webhook.redeliver')
  @ApiOperation({ summary: 'Sends a finished delivery again, as a new delivery of the same event' })
  @ApiAcceptedResponse({ type: DeliveryDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Still pending' })
  async redeliver(@Param('id', ParseUUIDPipe) id: string): Promise<DeliveryDto> {
    return toDeliveryDto(await this.webhooks.redeliver(id));
  }

  @Get(':id')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'One webhook' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<WebhookDto> {
    return toWebhookDto(await this.webhooks.get(id));
  }

  @Patch(':id')
  @Auth(Role.ADMIN)
  @Audited('webhook.update')
  @ApiOperation({ summary: 'Changes a webhook (url, events, format, enabled, name)' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookDto> {
    return toWebhookDto(await this.webhooks.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @Auth(Role.ADMIN)
  @Audited('webhook.delete')
  @ApiOperation({ summary: 'Removes a webhook and its deliveries' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: "A webhook's deliveries, newest first: status, attempts, last answer" })
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async deliveries(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: DeliveryQueryDto,
  ): Promise<DeliveryListDto> {
    const { items, total } = await this.webhooks.deliveriesOf(id, query);
    return pageOf(items.map(toDeliveryDto), total, query);
  }

  @Post(':id/test')
  @HttpCode(202)
  @Auth(Role.ADMIN)
  @Audited('webhook.test')
  @ApiOperation({
    summary: 'Sends a webhook.test event to this webhook (within a second); answers its delivery',
  })
  @ApiAcceptedResponse({ type: DeliveryDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async test(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: CallerContext): Promise<DeliveryDto> {
    return toDeliveryDto(await this.webhooks.test(id, actorNameOf(caller)));
  }
}
