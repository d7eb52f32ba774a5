import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { PageQueryDto, pageOf } from '../platform/http/page.dto';
import { ActionResultDto, StampedResultDto } from '../platform/http/action-result.dto';
import { Clock } from '../platform/time/clock';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { CreatePresetDto, UpdatePresetDto } from './dto/preset.dto';
import { PresetDetailDto, PresetListDto } from './dto/preset-view.dto';
import { PresetsService, toPresetDetail, toPresetSummary } from './presets.service';

@ApiTags('presets')
@Controller('presets')
export class PresetsController {
  constructor(
    private readonly presets: PresetsService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Presets: built-ins first, then by name' })
  @ApiOkResponse({ type: PresetListDto })
  async list(@Query() page: PageQueryDto): Promise<PresetListDto> {
    const { items, total } = await this.presets.list(page.limit, page.offset);
    return pageOf(items.map(toPresetSummary), total, page);
  }

  @Get(':name')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'One preset with its whole configuration' })
  @ApiOkResponse({ type: PresetDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('name') name: string): Promise<PresetDetailDto> {
    return toPresetDetail(await this.presets.get(name));
  }

  @Post()
  @Auth(Role.ADMIN)
  @Audited('preset.create')
  @ApiOperation({
    summary: 'Creates a preset; what is left out comes from the built-in preset of its strategy',
  })
  @ApiCreatedResponse({ type: PresetDetailDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken' })
  async create(@Body() dto: CreatePresetDto): Promise<PresetDetailDto> {
    return toPresetDetail(await this.presets.create(dto));
  }

  @Put(':name')
  @Auth(Role.ADMIN)
  @Audited('preset.update')
  @ApiOperation({ summary: 'Changes part of a preset (nested objects are merged), validated as a whole' })
  @ApiOkResponse({ type: StampedResultDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async update(@Param('name') name: string, @Body() dto: UpdatePresetDto): Promise<StampedResultDto> {
    await this.presets.update(name, dto);
    return {
      success: true,
      message: 'Preset updated successfully',
      timestamp: this.clock.now().toISOString(),
    };
  }

  @Delete(':name')
  @Auth(Role.ADMIN)
  @Audited('preset.delete')
  @ApiOperation({ summary: 'Deletes a preset of your own; built-ins cannot be deleted (409)' })
  @ApiOkResponse({ type: ActionResultDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A built-in preset' })
  async delete(@Param('name') name: string): Promise<ActionResultDto> {
    await this.presets.delete(name);
    return { success: true, message: 'Preset deleted' };
  }
}
