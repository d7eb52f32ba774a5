import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiBadRequestResponse,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { actorNameOf, Caller, CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import type { AlertRule } from './alert-rule.entity';
import { AlertRulesService } from './alert-rules.service';
import { toAlertDto, toAlertRuleDto } from './alert-view';
import { AlertsService } from './alerts.service';
import { AlertRuleListDto, AlertRulesUpdateDto } from './dto/alert-rule.dto';
import { AlertDetailDto, AlertDto, AlertListDto, AlertNoteDto, AlertQueryDto } from './dto/alert.dto';

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly rules: AlertRulesService,
  ) {}

  @Get()
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Stored alerts, newest seen first, with the counts of all and of the active ones',
  })
  @ApiOkResponse({ type: AlertListDto })
  async list(@Query() query: AlertQueryDto): Promise<AlertListDto> {
    const { items, total, totalAlerts, activeAlerts } = await this.alerts.list(query);
    return { ...pageOf(items.map(toAlertDto), total, query), totalAlerts, activeAlerts };
  }

  @Get('rules')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'The alert rules on measures of this system: each fires after forSeconds above its threshold',
  })
  @ApiOkResponse({ type: AlertRuleListDto })
  async listRules(): Promise<AlertRuleListDto> {
    return this.ruleList(await this.rules.list());
  }

  @Put('rules')
  @Auth(Role.ADMIN)
  @Audited('alert.rules.update')
  @ApiOperation({
    summary: 'Changes some alert rules (in force at the next evaluation); answers all of them',
  })
  @ApiOkResponse({ type: AlertRuleListDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Names every bad field' })
  async updateRules(
    @Body() dto: AlertRulesUpdateDto,
    @Caller() caller: CallerContext,
  ): Promise<AlertRuleListDto> {
    return this.ruleList(await this.rules.update(dto.rules, actorNameOf(caller)));
  }

  @Get(':id')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'One alert with its history: raised, repeats, acknowledged, resolved' })
  @ApiOkResponse({ type: AlertDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<AlertDetailDto> {
    const alert = await this.alerts.get(id);
    const history = await this.alerts.history(id);
    return {
      ...toAlertDto(alert),
      history: history.map(({ event, at, by, text }) => ({ event, at: at.toISOString(), by, text })),
    };
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('alert.acknowledge')
  @ApiOperation({ summary: 'Acknowledges a firing alert (it stays active until resolved)' })
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not firing' })
  async acknowledge(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AlertNoteDto,
    @Caller() caller: CallerContext,
  ): Promise<AlertDto> {
    return toAlertDto(await this.alerts.acknowledge(id, actorNameOf(caller), dto.note));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Auth(Role.CONTROL)
  @Audited('alert.resolve')
  @ApiOperation({ summary: 'Resolves an alert; a later repeat of its condition opens a new one' })
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already resolved' })
  async resolve(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AlertNoteDto,
    @Caller() caller: CallerContext,
  ): Promise<AlertDto> {
    return toAlertDto(await this.alerts.resolve(id, actorNameOf(caller), dto.note));
  }

  private ruleList(rules: AlertRule[]): AlertRuleListDto {
    return { rules: rules.map((rule) => toAlertRuleDto(rule, this.rules.metricOf(rule.type))) };
  }
}
