import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { StatusResponseDto } from './dto/status-response.dto';
import { HealthService } from './health.service';

@ApiTags('monitoring')
@Controller('status')
export class StatusController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'System status for operators: uptime, version, database, process performance' })
  @ApiOkResponse({ type: StatusResponseDto, description: 'The current status' })
  status(): Promise<StatusResponseDto> {
    return this.health.status();
  }
}
