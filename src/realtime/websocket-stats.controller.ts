import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { Clock } from '../platform/time/clock';
import { WebSocketStatsDto } from './dto/websocket-stats.dto';
import { RealtimeHub } from './realtime-hub';

@ApiTags('realtime')
@Controller('websocket')
export class WebSocketStatsController {
  constructor(
    private readonly hub: RealtimeHub,
    private readonly clock: Clock,
  ) {}

  @Get('stats')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'WebSocket connections, sessions, subscriptions per topic and message counts' })
  @ApiOkResponse({ type: WebSocketStatsDto })
  stats(): WebSocketStatsDto {
    return { ...this.hub.stats(), timestamp: new Date(this.clock.nowMs()).toISOString() };
  }
}
