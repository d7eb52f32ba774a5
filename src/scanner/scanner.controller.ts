import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { ScannerStatusDto, ScanRequestDto, ScanResultDto } from './dto/scanner.dto';
import { ScannerService } from './scanner.service';

@ApiTags('scanner')
@Controller('scanner')
export class ScannerController {
  constructor(private readonly scanner: ScannerService) {}

  @Post('scan')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @ApiOperation({ summary: "Scans symbols against a preset's filters and weights (emits SCAN_RESULT)" })
  @ApiOkResponse({ type: ScanResultDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such preset or exchange account' })
  scan(@Body() dto: ScanRequestDto): Promise<ScanResultDto> {
    return this.scanner.scanPreset(dto.preset, {
      limit: dto.limit,
      symbols: dto.symbols,
      accountId: dto.accountId,
    });
  }

  @Get('status')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'The last scan of this instance' })
  @ApiOkResponse({ type: ScannerStatusDto })
  status(): ScannerStatusDto {
    return this.scanner.status();
  }
}
