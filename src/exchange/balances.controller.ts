import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { PageQueryDto } from '../platform/http/page.dto';
import { BalancesResponseDto } from './dto/balance.dto';
import { BalancesService } from './balances.service';

export class BalancesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'bot-default',
    description: "A paper account's name; default: the default one",
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'account must be a paper account name' })
  account?: string;
}

@ApiTags('exchanges')
@Controller('balances')
export class BalancesController {
  constructor(private readonly balances: BalancesService) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "Balances of a paper account (the default one, or a bot's: bot-<name>) per currency: free, used, total and value in USDT",
  })
  @ApiOkResponse({ type: BalancesResponseDto, description: 'One row per currency held' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No paper account of that name' })
  list(@Query() query: BalancesQueryDto): Promise<BalancesResponseDto> {
    const { account, ...page } = query;
    return this.balances.paperBalances(page, account);
  }
}
