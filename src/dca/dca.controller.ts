import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { DcaPlans } from './dca-plans.service';
import { DcaPlanDto, DcaPlanQueryDto } from './dto/dca-plan.dto';

@ApiTags('dca')
@Controller('dca')
export class DcaController {
  constructor(private readonly plans: DcaPlans) {}

  @Get('plan')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      "The safety-order ladder a set of settings would place now: each order's deviation, price, size, cumulative cost, average entry and take profit, and the capital it needs",
  })
  @ApiOkResponse({ type: DcaPlanDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A bad setting or an unknown symbol' })
  plan(@Query() query: DcaPlanQueryDto): Promise<DcaPlanDto> {
    return this.plans.plan(query);
  }
}
