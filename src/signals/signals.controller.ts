import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth, Public } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { BotSignals } from './bot-signals.service';
import { InboundSignalDto, SignalResultDto, SignalTokenDto, StoredSignalListDto } from './dto/signal.dto';

class SignalListQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;
}

@ApiTags('signals')
@Controller()
export class SignalsController {
  constructor(private readonly signals: BotSignals) {}

  @Post('bots/:id/signal-token')
  @Auth(Role.CONTROL)
  @Audited('bot.signal-token')
  @ApiOperation({
    summary: "A new token for the bot's signal URL, shown once (stored hashed; the old one stops working)",
  })
  @ApiCreatedResponse({ type: SignalTokenDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  issue(@Param('id', ParseUUIDPipe) id: string): Promise<SignalTokenDto> {
    return this.signals.issueToken(id);
  }

  @Delete('bots/:id/signal-token')
  @HttpCode(204)
  @Auth(Role.CONTROL)
  @Audited('bot.signal-token.revoke')
  @ApiOperation({ summary: "Revokes the bot's signal URL" })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.signals.revokeToken(id);
  }

  @Get('bots/:id/signals')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Signals the bot received, newest first, with what it did' })
  @ApiOkResponse({ type: StoredSignalListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async list(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: SignalListQueryDto,
  ): Promise<StoredSignalListDto> {
    const signals = await this.signals.list(id, query.limit);
    return { signals, count: signals.length };
  }

  @Post('signals/:token')
  @HttpCode(202)
  @Public()
  @ApiOperation({
    summary:
      'A TradingView-style signal to the bot whose signal URL this is: it acts through its own sizing, risk limits and DCA settings; the same id (or body within 60 s) acts once',
  })
  @ApiAcceptedResponse({ type: SignalResultDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A bad body, or a symbol outside the bot' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No signal URL with this token' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The bot is not running, paused, or stopped' })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'More than 30 signals a minute on this URL',
  })
  receive(@Param('token') token: string, @Body() signal: InboundSignalDto): Promise<SignalResultDto> {
    return this.signals.receive(token, signal);
  }
}
