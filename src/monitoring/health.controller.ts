import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '../platform/access/access.decorators';
import { HealthResponseDto, LivenessResponseDto, ReadinessResponseDto } from './dto/health-response.dto';
import { HealthService } from './health.service';

@ApiTags('monitoring')
@Controller('health')
@Public()
@SkipRateLimit()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Overall health: database, services, resources; 503 when the database is down' })
  @ApiOkResponse({
    type: HealthResponseDto,
    description: 'The database answers; `status` may still be degraded',
  })
  @ApiServiceUnavailableResponse({
    type: HealthResponseDto,
    description: 'The database or a critical service is down',
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponseDto> {
    const health = await this.health.check();
    if (health.status === 'unhealthy') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return health;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness probe: the process answers' })
  @ApiOkResponse({ type: LivenessResponseDto, description: 'The process is up' })
  live(): LivenessResponseDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness probe: the database answers; 503 otherwise' })
  @ApiOkResponse({ type: ReadinessResponseDto, description: 'Ready to serve' })
  @ApiServiceUnavailableResponse({
    type: ReadinessResponseDto,
    description: 'Not ready: the database does not answer',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessResponseDto> {
    const readiness = await this.health.readiness();
    if (readiness.status !== 'ready') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return readiness;
  }
}
