import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { Role } from '../../platform/access/role';
import { PageOf } from '../../platform/http/page.dto';

export const MAX_KEY_RATE_LIMIT = 1_000_000;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Production Dashboard' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    enum: Role,
    enumName: 'Role',
    isArray: true,
    example: ['READ_ONLY'],
    description: 'Never more than the creator holds',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsEnum(Role, { each: true })
  permissions!: Role[];

  @ApiPropertyOptional({
    type: 'integer',
    default: 1000,
    minimum: 1,
    maximum: MAX_KEY_RATE_LIMIT,
    description: 'Requests per hour',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_KEY_RATE_LIMIT)
  rateLimit?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 3650,
    description: 'Days until the key expires; none when absent',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresDays?: number;
}

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;

/** Seed 003's form: `POST /api/keys?name=&permissions=READ_ONLY,CONTROL&rate_limit=&expires_days=`. */
export class CreateApiKeyQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ description: 'Comma-separated roles', example: 'READ_ONLY,CONTROL' })
  @IsOptional()
  @Transform(splitList)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsEnum(Role, { each: true })
  permissions?: Role[];

  @ApiPropertyOptional({ type: 'integer', name: 'rate_limit' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_KEY_RATE_LIMIT)
  rate_limit?: number;

  @ApiPropertyOptional({ type: 'integer', name: 'expires_days' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  expires_days?: number;
}

export class UpdateApiKeyDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_KEY_RATE_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_KEY_RATE_LIMIT)
  rateLimit?: number;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The same as id, under the name the key routes have always used',
  })
  keyId!: string;

  @ApiProperty({ example: 'Production Dashboard' })
  name!: string;

  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true })
  permissions!: Role[];

  @ApiProperty({ example: 1000, description: 'Requests per hour' })
  rateLimit!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastUsed!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expiresAt!: string | null;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({
    example: 'tp_live_Ab3dE5gH9k_…wxyz',
    description: 'Enough to recognise the key, never enough to use it',
  })
  maskedKey!: string;
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({
    example: 'tp_live_Ab3dE5gH9k_…',
    description: 'The key itself: shown in this response only',
  })
  apiKey!: string;
}

export class ApiKeyListDto extends PageOf(ApiKeyResponseDto) {}
