import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { PageQueryDto, pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { ParameterSpecDto, SignalDto, SignalRequestDto, StrategyListDto } from './dto/strategy.dto';
import { StrategiesService } from './strategies.service';

@ApiTags('strategies')
@ApiExtraModels(ParameterSpecDto)
@Controller('strategies')
export class StrategiesController {
  constructor(private readonly strategies: StrategiesService) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Built-in strategies with their parameter schema' })
  @ApiOkResponse({ type: StrategyListDto })
  list(@Query() page: PageQueryDto): StrategyListDto {
    const all = this.strategies.list();
    const items = all.slice(page.offset, page.offset + page.limit).map((strategy) => ({
      name: strategy.name,
      description: strategy.description,
      parameters: { ...strategy.parameters },
    }));
    return pageOf(items, all.length, page);
  }

  @Post(':name/signal')
  @HttpCode(200)
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: "The strategy's signal on the newest closed candles of a symbol (changes nothing)",
  })
  @ApiOkResponse({ type: SignalDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such strategy' })
  signal(@Param('name') name: string, @Body() dto: SignalRequestDto): Promise<SignalDto> {
    return this.strategies.signal(name, dto.symbol, dto.timeframe, dto.parameters);
  }
}
