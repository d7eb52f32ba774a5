import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ALERT_SEVERITIES, AlertSeverity } from '../alert.entity';
import { RULE_TYPES } from '../alert-rules.service';

export class AlertRuleDto {
  @ApiProperty({ enum: RULE_TYPES, example: 'HIGH_MEMORY' })
  type!: string;
  @ApiProperty({ example: 'memory in use, percent of the machine', description: 'What the rule measures' })
  measures!: string;
  @ApiProperty({ example: '%' })
  unit!: string;
  @ApiProperty({ example: true })
  enabled!: boolean;
  @ApiProperty({ example: 90, description: 'The alert fires while the measured value is above it' })
  threshold!: number;
  @ApiProperty({ example: 60, description: 'How long the value must stay above it (pending until then)' })
  forSeconds!: number;
  @ApiProperty({ enum: ALERT_SEVERITIES, example: 'warning' })
  severity!: AlertSeverity;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ example: 'user:ops', description: '`system` for the defaults' })
  updatedBy!: string;
}

export class AlertRuleListDto {
  @ApiProperty({ type: [AlertRuleDto] })
  rules!: AlertRuleDto[];
}

export class AlertRuleChangeDto {
  @ApiProperty({ enum: RULE_TYPES, example: 'HIGH_MEMORY' })
  @IsIn(RULE_TYPES)
  type!: string;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    example: 85,
    description: '0-100 for percentages, 0-60000 ms for the event-loop lag',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  threshold?: number;

  @ApiPropertyOptional({ example: 120, minimum: 0, maximum: 86_400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  forSeconds?: number;

  @ApiPropertyOptional({ enum: ALERT_SEVERITIES, example: 'critical' })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES)
  severity?: AlertSeverity;
}

export class AlertRulesUpdateDto {
  @ApiProperty({
    type: [AlertRuleChangeDto],
    description: 'The rules to change, each type at most once; fields left out keep their values',
    example: [{ type: 'HIGH_MEMORY', threshold: 85, forSeconds: 120, severity: 'critical' }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AlertRuleChangeDto)
  rules!: AlertRuleChangeDto[];
}
