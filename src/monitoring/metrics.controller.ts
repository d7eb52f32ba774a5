import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../platform/config/app-config';
import { Auth, PublicWhen } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { MetricsService, MetricSubset } from '../platform/metrics/metrics.service';
import {
  HistoryQueryDto,
  HistoryResponseDto,
  MetricsHealthResponseDto,
  PerformanceResponseDto,
  SummaryResponseDto,
} from './dto/metrics-json.dto';
import { MonitoringReports } from './monitoring-reports.service';

/** Prometheus may scrape with `Authorization: Bearer <METRICS_TOKEN>` instead of a user or key. */
function scrapeAllowed(config: AppConfig, request: FastifyRequest): boolean {
  if (config.metricsPublic) return true;
  const header = request.headers.authorization;
  if (!config.metricsToken || !header?.startsWith('Bearer ')) return false;
  const presented = Buffer.from(header.slice('Bearer '.length).trim());
  const expected = Buffer.from(config.metricsToken);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

// Only the 200 is text; its errors are JSON in the one error shape, like every route's.
const PROMETHEUS_TEXT = {
  description: 'Prometheus text exposition format',
  content: { 'text/plain': { schema: { type: 'string' } } },
};

@ApiTags('monitoring')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly reports: MonitoringReports,
  ) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @PublicWhen(scrapeAllowed)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics: READ_ONLY, the METRICS_TOKEN bearer, or public with METRICS_PUBLIC=true',
  })
  @ApiOkResponse(PROMETHEUS_TEXT)
  async render(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.prometheus(reply);
  }

  @Get('trading')
  @Auth(Role.READ_ONLY)
  @PublicWhen(scrapeAllowed)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Prometheus subset: orders by venue and status, fills, open positions and exposure, realised PnL, exchange request latency and errors',
  })
  @ApiOkResponse(PROMETHEUS_TEXT)
  async trading(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.prometheus(reply, 'trading');
  }

  @Get('ml')
  @Auth(Role.READ_ONLY)
  @PublicWhen(scrapeAllowed)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus subset: machine learning (whether it is on, its confidence threshold)',
  })
  @ApiOkResponse(PROMETHEUS_TEXT)
  async ml(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.prometheus(reply, 'ml');
  }

  @Get('system')
  @Auth(Role.READ_ONLY)
  @PublicWhen(scrapeAllowed)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Prometheus subset: process and HTTP, WebSocket connections and messages, jobs by queue and state, webhook deliveries, active alerts',
  })
  @ApiOkResponse(PROMETHEUS_TEXT)
  async system(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.prometheus(reply, 'system');
  }

  @Get('summary')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Process performance, engine cycle times and open positions, and the last day of closed trades',
  })
  @ApiOkResponse({ type: SummaryResponseDto })
  summary(): Promise<SummaryResponseDto> {
    return this.reports.summary();
  }

  @Get('performance')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: "The process's CPU, memory, disk, threads, files and connections now" })
  @ApiOkResponse({ type: PerformanceResponseDto })
  performance(): Promise<PerformanceResponseDto> {
    return this.reports.performance();
  }

  @Get('health')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Whether monitoring works: resources within limits, samples stored, series kept' })
  @ApiOkResponse({ type: MetricsHealthResponseDto })
  health(): Promise<MetricsHealthResponseDto> {
    return this.reports.health();
  }

  @Get('history')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      'Trading, system and exchange figures hour by hour over the last hours (from stored samples and the ledger)',
  })
  @ApiOkResponse({ type: HistoryResponseDto })
  history(@Query() query: HistoryQueryDto): Promise<HistoryResponseDto> {
    return this.reports.history(query.hours);
  }

  private async prometheus(reply: FastifyReply, subset?: MetricSubset): Promise<string> {
    void reply.type(this.metrics.contentType);
    return this.metrics.render(subset);
  }
}
