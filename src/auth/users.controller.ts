import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { Caller, type CallerContext } from '../platform/access/principal';
import { ActionResultDto } from '../platform/http/action-result.dto';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { pageOf, PageQueryDto } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { CreateUserDto, UpdateUserDto, UserListDto, UserResponseDto } from './dto/user.dto';
import { actorOf } from './request-actor';
import { toUserResponse, UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
@Auth(Role.ADMIN)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UserListDto, description: 'A page of users' })
  async list(@Query() page: PageQueryDto): Promise<UserListDto> {
    const { items, total } = await this.users.list(page.limit, page.offset);
    return pageOf(items.map(toUserResponse), total, page);
  }

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a user; only a SUPER_ADMIN grants ADMIN or SUPER_ADMIN' })
  @ApiCreatedResponse({ type: UserResponseDto, description: 'The new user' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The username is taken' })
  async create(@Body() dto: CreateUserDto, @Caller() caller: CallerContext): Promise<UserResponseDto> {
    return toUserResponse(await this.users.create(dto, actorOf(caller)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserResponseDto, description: 'The user' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such user' })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<UserResponseDto> {
    return toUserResponse(await this.users.get(id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change role, enable or disable, reset the password; existing tokens of the user stop working',
  })
  @ApiOkResponse({ type: UserResponseDto, description: 'The updated user' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such user' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Would leave no enabled SUPER_ADMIN' })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateUserDto,
    @Caller() caller: CallerContext,
  ): Promise<UserResponseDto> {
    return toUserResponse(await this.users.update(id, dto, actorOf(caller)));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a user and end their sessions' })
  @ApiOkResponse({ type: ActionResultDto, description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such user' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Your own account, or the last enabled SUPER_ADMIN',
  })
  async remove(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Caller() caller: CallerContext,
  ): Promise<ActionResultDto> {
    await this.users.remove(id, actorOf(caller));
    return { success: true, message: `User ${id} deleted` };
  }
}
