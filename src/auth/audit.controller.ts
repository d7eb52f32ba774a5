import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { pageOf } from '../platform/http/page.dto';
import { AuditService } from './audit.service';
import { AuditEntryDto, AuditListDto, AuditQueryDto } from './dto/audit.dto';
import { AuditEntry } from './entities/audit-entry.entity';

function toAuditEntryDto(entry: AuditEntry): AuditEntryDto {
  return { ...entry, at: entry.at.toISOString() };
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Auth(Role.ADMIN)
  @ApiOperation({ summary: 'Who did what, when, from where, to what; newest first' })
  @ApiOkResponse({ type: AuditListDto, description: 'A page of the audit trail' })
  async list(@Query() query: AuditQueryDto): Promise<AuditListDto> {
    const { items, total } = await this.audit.list(query);
    return pageOf(items.map(toAuditEntryDto), total, query);
  }
}
