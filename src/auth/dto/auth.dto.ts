import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Role } from '../../platform/access/role';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple', format: 'password' })
  @IsString()
  @Length(1, 256)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from login or the previous refresh; each one works once' })
  @IsString()
  @Length(16, 256)
  refreshToken!: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'Not needed: the access token names its session' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  refreshToken?: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'HS256 JWT for `Authorization: Bearer`' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expiresIn!: number;

  @ApiProperty({ description: 'Opaque; exchange it once at /api/auth/refresh' })
  refreshToken!: string;

  @ApiProperty({ example: 1209600, description: 'Seconds until the refresh token expires' })
  refreshExpiresIn!: number;
}

export class MeResponseDto {
  @ApiProperty({ enum: ['user', 'apiKey'] })
  kind!: 'user' | 'apiKey';

  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'admin' })
  name!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: Role;

  @ApiProperty({
    enum: Role,
    enumName: 'Role',
    isArray: true,
    description: 'Roles whose routes this principal may call',
  })
  permissions!: Role[];

  @ApiPropertyOptional({ format: 'uuid', description: 'The sign-in this access token belongs to' })
  sessionId?: string;
}
