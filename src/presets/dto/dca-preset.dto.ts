import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { DealSettingsDto, DealSettingsViewDto } from '../../dca/dto/dca-deal.dto';
import { DCA_START_CONDITIONS, DcaStartCondition } from '../preset-config';

const START_CONDITION_DOC =
  '`asap`: a deal starts on a free pair at once; `signal`: on the buy signal of the preset strategy on its timeframe; `manual`: only by POST /api/dca/deals';

/** A DCA preset's bot settings; what is left out keeps its current value (or dca_conservative_v1's). */
export class DcaBotChangesDto {
  @ApiPropertyOptional({
    type: DealSettingsDto,
    description: "Each deal's settings (3Commas' bot settings); absent ones keep their current value",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => DealSettingsDto)
  deal?: DealSettingsDto;

  @ApiPropertyOptional({
    type: 'integer',
    example: 2,
    minimum: 1,
    maximum: 100,
    description: 'Deals open at once across the pairs, one per pair ("max active deals")',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxActiveDeals?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 600,
    minimum: 0,
    maximum: 604800,
    description: 'Seconds after a deal on a pair closes before the next one there ("cooldown between deals")',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800)
  cooldownSeconds?: number;

  @ApiPropertyOptional({ enum: DCA_START_CONDITIONS, description: START_CONDITION_DOC })
  @IsOptional()
  @IsIn(DCA_START_CONDITIONS)
  startCondition?: DcaStartCondition;
}

export class DcaBotConfigDto {
  @ApiProperty({ type: DealSettingsViewDto })
  deal!: DealSettingsViewDto;
  @ApiProperty({ example: 2 })
  maxActiveDeals!: number;
  @ApiProperty({ example: 600 })
  cooldownSeconds!: number;
  @ApiProperty({ enum: DCA_START_CONDITIONS, description: START_CONDITION_DOC })
  startCondition!: DcaStartCondition;
}
