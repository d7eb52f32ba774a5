import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsOptional, IsString, Length, Matches } from 'class-validator';
import { Role } from '../../platform/access/role';
import { PageOf } from '../../platform/http/page.dto';

export const PASSWORD_RULE = { min: 12, max: 128 };

export class CreateUserDto {
  @ApiProperty({ example: 'trader1', pattern: '^[A-Za-z0-9._-]{3,64}$' })
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, {
    message: 'username must be 3 to 64 letters, digits, dots, dashes or underscores',
  })
  username!: string;

  @ApiProperty({ minLength: PASSWORD_RULE.min, maxLength: PASSWORD_RULE.max, format: 'password' })
  @IsString()
  @Length(PASSWORD_RULE.min, PASSWORD_RULE.max)
  password!: string;

  @ApiPropertyOptional({
    enum: Role,
    enumName: 'Role',
    default: Role.READ_ONLY,
    description: 'Only a SUPER_ADMIN grants ADMIN or SUPER_ADMIN',
  })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    minLength: PASSWORD_RULE.min,
    maxLength: PASSWORD_RULE.max,
    format: 'password',
    description: 'A password reset; signs the user out everywhere',
  })
  @IsOptional()
  @IsString()
  @Length(PASSWORD_RULE.min, PASSWORD_RULE.max)
  password?: string;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'trader1' })
  username!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: Role;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  passwordChangedAt!: string | null;
}

export class UserListDto extends PageOf(UserResponseDto) {}
