import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { PageQueryDto } from '../platform/http/page.dto';
import { BalancesResponseDto } from './dto/balance.dto';
import { BalancesService } from './balances.service';

@ApiTags('exchanges')
@Controller('balances')
export class BalancesController {
  constructor(private readonly balances: BalancesService) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Balances of the default paper account per currency: free, used, total and value in USDT',
  })
  @ApiOkResponse({ type: BalancesResponseDto, description: 'One row per currency held' })
  list(@Query() page: PageQueryDto): Promise<BalancesResponseDto> {
    return this.balances.paperBalances(page);
  }
}
