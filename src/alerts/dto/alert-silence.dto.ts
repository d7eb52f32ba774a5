import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { queryBoolean } from '../../platform/http/page.dto';
import { ALERT_SEVERITIES, AlertSeverity } from '../alert.entity';

export class SilenceMatchersDto {
  @ApiPropertyOptional({ example: 'HIGH_CPU' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  type?: string;

  @ApiPropertyOptional({ example: 'system' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;

  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES)
  severity?: AlertSeverity;
}

export class CreateSilenceDto {
  @ApiProperty({
    type: SilenceMatchersDto,
    description: 'An alert is silenced when it matches every matcher given (at least one)',
  })
  @IsObject()
  @ValidateNested()
  @Type(() => SilenceMatchersDto)
  matchers!: SilenceMatchersDto;

  @ApiProperty({
    format: 'date-time',
    example: '2026-12-03T12:00:00.000Z',
    description: 'When it ends (at most 366 days ahead)',
  })
  @IsISO8601({ strict: true })
  until!: string;

  @ApiProperty({ example: 'planned maintenance of the database host' })
  @IsString()
  @Length(1, 500)
  comment!: string;
}

export class SilenceDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ type: SilenceMatchersDto })
  matchers!: SilenceMatchersDto;
  @ApiProperty({ format: 'date-time' })
  startsAt!: string;
  @ApiProperty({ format: 'date-time' })
  until!: string;
  @ApiProperty({ example: 'planned maintenance of the database host' })
  comment!: string;
  @ApiProperty({ example: 'user:ops' })
  createdBy!: string;
  @ApiProperty({ enum: ['active', 'expired'], example: 'active' })
  status!: 'active' | 'expired';
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When it was deleted' })
  expiredAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'user:ops' })
  expiredBy!: string | null;
}

export class SilenceListDto {
  @ApiProperty({ type: [SilenceDto] })
  silences!: SilenceDto[];
}

export class SilenceQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Only silences in force now' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  activeOnly?: boolean;
}
