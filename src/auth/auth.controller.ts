import { ActionResultDto } from '../platform/http/action-result.dto';
import { Caller, Client, type CallerContext, type ClientContext } from '../platform/access/principal';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Auth, Public } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { AuthService } from './auth.service';
import { LoginDto, LogoutDto, MeResponseDto, RefreshDto, TokenResponseDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in; 5 failures within 15 minutes lock the username for 15 minutes' })
  @ApiOkResponse({ type: TokenResponseDto, description: 'Access and refresh tokens' })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description: 'Wrong username or password, or the user is disabled',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'Username locked, or the per-IP limit reached',
  })
  login(@Body() dto: LoginDto, @Client() client: ClientContext): Promise<TokenResponseDto> {
    return this.auth.login(dto, client);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for new tokens; a reused refresh token ends its whole session',
  })
  @ApiOkResponse({ type: TokenResponseDto, description: 'New access and refresh tokens' })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description: 'Invalid, expired or already used refresh token',
  })
  refresh(@Body() dto: RefreshDto, @Client() client: ClientContext): Promise<TokenResponseDto> {
    return this.auth.refresh(dto.refreshToken, { ip: client.ip });
  }

  @Post('logout')
  @Auth(Role.READ_ONLY)
  @HttpCode(200)
  @ApiOperation({
    summary: 'End the session of this access token: its refresh tokens and access tokens stop working',
  })
  @ApiOkResponse({ type: ActionResultDto, description: 'Signed out' })
  async logout(@Body() _dto: LogoutDto, @Caller() caller: CallerContext): Promise<ActionResultDto> {
    await this.auth.logout(caller.principal, { ip: caller.ip });
    return { success: true, message: 'Signed out' };
  }

  @Get('me')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'The caller: user or API key, role and permissions' })
  @ApiOkResponse({ type: MeResponseDto, description: 'The principal of this request' })
  me(@Caller() caller: CallerContext): MeResponseDto {
    return this.auth.me(caller.principal);
  }
}
