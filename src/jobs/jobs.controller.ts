import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { Caller, type CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { JobDto, JobListDto, JobQueryDto } from './dto/job.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @Auth(Role.ADMIN)
  @ApiOperation({
    summary: 'Background jobs (backtests, housekeeping), newest first; filters by queue and state',
  })
  @ApiOkResponse({ type: JobListDto })
  async list(@Query() query: JobQueryDto): Promise<JobListDto> {
    const { items, total } = await this.jobs.list({
      queue: query.queue,
      state: query.state,
      limit: query.limit,
      offset: query.offset,
    });
    return pageOf(items, total, query);
  }

  @Get(':id')
  @Auth(Role.CONTROL)
  @ApiOperation({
    summary: "A job's state, progress (0-100), attempts, timings, and result or error",
    description: 'CONTROL sees backtest jobs; other queues need ADMIN.',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', new ParseUUIDPipe()) id: string, @Caller() caller: CallerContext): Promise<JobDto> {
    return this.jobs.get(id, caller.principal);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('job.cancel')
  @ApiOperation({
    summary: 'Cancels a queued or running job; a running backtest stops within a second',
    description: 'CONTROL may cancel backtests; other queues need ADMIN.',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The job has already finished' })
  cancel(@Param('id', new ParseUUIDPipe()) id: string, @Caller() caller: CallerContext): Promise<JobDto> {
    return this.jobs.cancel(id, caller.principal);
  }
}
