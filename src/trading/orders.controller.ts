import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Audited } from '../auth/audited.decorator';
import { Caller, type CallerContext } from '../platform/access/principal';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { Clock } from '../platform/time/clock';
import {
  CancelOrderResultDto,
  OrderDetailDto,
  OrderDto,
  OrderListDto,
  OrderQueryDto,
  PlaceOrderDto,
} from './dto/order.dto';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { toOrderDetailDto, toOrderDto } from './order-view';
import { OrdersService } from './orders.service';

@ApiTags('trading')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly clock: Clock,
  ) {}

  @Post()
  @Auth(Role.CONTROL)
  @Audited('order.place')
  @Idempotent()
  @ApiOperation({
    summary: 'Place an order on the paper exchange (default) or an exchange account',
    description:
      'Checked before anything is sent (trading enabled, symbol, amount and value limits, balance). On an exchange account: written as PENDING_SUBMIT, then sent once; a lost answer leaves it UNKNOWN until it is found by its client order id. On the paper exchange: written with its booking in one transaction (both or neither).',
  })
  @ApiCreatedResponse({ type: OrderDto, description: 'The order as the exchange answered it' })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description:
      'The paper order was not placed (the database did not complete it; nothing was written): send it again',
  })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Idempotency-Key reused with another body, or trading disabled',
  })
  async place(@Body() dto: PlaceOrderDto, @Caller() caller: CallerContext): Promise<OrderDto> {
    const order = await this.orders.place(
      {
        symbol: dto.symbol,
        side: dto.side,
        type: dto.type,
        amount: String(dto.amount),
        ...(dto.price !== undefined ? { price: String(dto.price) } : {}),
        ...(dto.stopPrice !== undefined ? { stopPrice: String(dto.stopPrice) } : {}),
        ...(dto.clientOrderId ? { clientOrderId: dto.clientOrderId } : {}),
        ...(dto.accountId ? { accountId: dto.accountId } : {}),
      },
      { createdBy: caller.key },
    );
    return toOrderDto(order);
  }

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Orders, newest first, filtered by status, symbol, side, trade and creation time',
  })
  @ApiOkResponse({ type: OrderListDto })
  async list(@Query() query: OrderQueryDto): Promise<OrderListDto> {
    const { items, total } = await this.orders.list(query);
    return pageOf(items.map(toOrderDto), total, query);
  }

  @Get(':id')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'One order, with its fills' })
  @ApiOkResponse({ type: OrderDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such order' })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<OrderDetailDto> {
    const order = await this.orders.get(id);
    return toOrderDetailDto(order, await this.orders.fillsOf(id));
  }

  @Delete(':id')
  @Auth(Role.CONTROL)
  @Audited('order.cancel')
  @ApiOperation({ summary: 'Cancel an open order' })
  @ApiOkResponse({ type: CancelOrderResultDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such order' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The order is already filled, canceled or rejected',
  })
  async cancel(@Param('id', new ParseUUIDPipe()) id: string): Promise<CancelOrderResultDto> {
    const order = await this.orders.cancel(id);
    return {
      success: true,
      message: `Order ${id} canceled`,
      order: toOrderDto(order),
      timestamp: new Date(this.clock.nowMs()).toISOString(),
    };
  }
}
