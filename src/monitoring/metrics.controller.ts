import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../platform/config/app-config';
import { Auth, PublicWhen } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { MetricsService } from '../platform/metrics/metrics.service';

/** Prometheus may scrape with `Authorization: Bearer <METRICS_TOKEN>` instead of a user or key. */
function scrapeAllowed(config: AppConfig, request: FastifyRequest): boolean {
  if (config.metricsPublic) return true;
  const header = request.headers.authorization;
  if (!config.metricsToken || !header?.startsWith('Bearer ')) return false;
  const presented = Buffer.from(header.slice('Bearer '.length).trim());
  const expected = Buffer.from(config.metricsToken);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

@ApiTags('monitoring')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @PublicWhen(scrapeAllowed)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics: READ_ONLY, the METRICS_TOKEN bearer, or public with METRICS_PUBLIC=true',
  })
  // Only the 200 is text; its errors are JSON in the one error shape, like every route's.
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async render(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.type(this.metrics.contentType);
    return this.metrics.render();
  }
}
