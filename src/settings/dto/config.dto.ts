import { PageOf } from '../../platform/http/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';

const SECTION_EXAMPLES = {
  trading: { enabled: true },
  risk: { maxAccountExposurePercent: 100, dailyLossLimitR: null, maxConsecutiveLosses: null },
  dca: { enabled: false, maxAttempts: 5, baseVolume: 100, volumeScaling: 1.5, stepPercent: 2 },
  ml: {
    enabled: false,
    confidenceThreshold: 0.6,
    retrainEveryHours: 24,
    minRetrainMinutes: 10,
    trainingDays: 60,
  },
  scanner: { defaultMaxCandidates: null, defaultScanIntervalSeconds: 900 },
  alerts: { rulesEnabled: true },
  notifications: { webhooksEnabled: true },
  sync: { everyMinutes: 60 },
  rateLimits: {
    anonymousPerMinute: 20,
    readOnlyPerMinute: 100,
    controlPerMinute: 60,
    adminPerMinute: 30,
    keyCreationPerHour: 10,
  },
};

const DESCRIPTIONS: Record<keyof typeof SECTION_EXAMPLES, string> = {
  trading: 'enabled: false refuses every new order at once (exits of open trades still run)',
  risk: "maxAccountExposurePercent (1-100): most of an account's trading equity open trades may hold; dailyLossLimitR (> 0) and maxConsecutiveLosses (>= 1): ceilings over every preset's own, null for none",
  dca: 'Defaults of DCA trades: enabled, maxAttempts (0-50), baseVolume (> 0), volumeScaling (1-10), stepPercent (0-90)',
  ml: 'enabled (predictions and scheduled retraining), confidenceThreshold (0-1, the default minConfidence of an ML preset), retrainEveryHours (1-720), minRetrainMinutes (0-1440), trainingDays (1-365)',
  scanner:
    "What a new preset gets when its scannerConfig does not say: defaultMaxCandidates (1-100), defaultScanIntervalSeconds (5-86400); null: its strategy's built-in value",
  alerts:
    "rulesEnabled: false stops the evaluation of the alert rules (their open alerts resolve); each rule's threshold is set at /api/alerts/rules",
  notifications: 'webhooksEnabled: false holds webhook deliveries in the outbox',
  sync: 'everyMinutes (0-10080): minutes between scheduled syncs of each exchange account and 3Commas connection; 0: none',
  rateLimits: 'Requests per minute per principal (anonymous: per IP) and API keys created per hour',
};

function sectionProperty(name: keyof typeof SECTION_EXAMPLES, required: boolean) {
  return (required ? ApiProperty : ApiPropertyOptional)({
    type: 'object',
    additionalProperties: true,
    example: SECTION_EXAMPLES[name],
    description: DESCRIPTIONS[name],
  });
}

/** Every runtime setting with its value. */
export class SettingsDocumentDto {
  @sectionProperty('trading', true)
  trading!: Record<string, unknown>;
  @sectionProperty('risk', true)
  risk!: Record<string, unknown>;
  @sectionProperty('dca', true)
  dca!: Record<string, unknown>;
  @sectionProperty('ml', true)
  ml!: Record<string, unknown>;
  @sectionProperty('scanner', true)
  scanner!: Record<string, unknown>;
  @sectionProperty('alerts', true)
  alerts!: Record<string, unknown>;
  @sectionProperty('notifications', true)
  notifications!: Record<string, unknown>;
  @sectionProperty('sync', true)
  sync!: Record<string, unknown>;
  @sectionProperty('rateLimits', true)
  rateLimits!: Record<string, unknown>;
}

/** Part of the settings: the sections and fields to change (the rest stays as it is). */
export class SettingsPatchDto {
  @sectionProperty('trading', false)
  @IsOptional()
  @IsObject()
  trading?: Record<string, unknown>;
  @sectionProperty('risk', false)
  @IsOptional()
  @IsObject()
  risk?: Record<string, unknown>;
  @sectionProperty('dca', false)
  @IsOptional()
  @IsObject()
  dca?: Record<string, unknown>;
  @sectionProperty('ml', false)
  @IsOptional()
  @IsObject()
  ml?: Record<string, unknown>;
  @sectionProperty('scanner', false)
  @IsOptional()
  @IsObject()
  scanner?: Record<string, unknown>;
  @sectionProperty('alerts', false)
  @IsOptional()
  @IsObject()
  alerts?: Record<string, unknown>;
  @sectionProperty('notifications', false)
  @IsOptional()
  @IsObject()
  notifications?: Record<string, unknown>;
  @sectionProperty('sync', false)
  @IsOptional()
  @IsObject()
  sync?: Record<string, unknown>;
  @sectionProperty('rateLimits', false)
  @IsOptional()
  @IsObject()
  rateLimits?: Record<string, unknown>;
}

export class ConfigDto {
  @ApiProperty({ example: 'production', description: 'NODE_ENV of this instance' })
  environment!: string;
  @ApiProperty({
    example: 3,
    description: 'The settings version in force; send it as If-Match to change them',
  })
  version!: number;
  @ApiProperty({ format: 'date-time', description: 'When this version was written' })
  lastUpdated!: string;
  @ApiProperty({ type: SettingsDocumentDto })
  settings!: SettingsDocumentDto;
}

export class ConfigPostDto {
  @ApiProperty({ type: SettingsPatchDto, description: 'The sections and fields to change' })
  @IsObject()
  settings!: Record<string, unknown>;

  @ApiPropertyOptional({ default: false, description: 'Only validate: nothing changes' })
  @IsOptional()
  @IsBoolean()
  validateOnly?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      'Accepted for seeds 001 and 003; every runtime setting applies at once, so no restart is ever required',
  })
  @IsOptional()
  @IsBoolean()
  restartRequired?: boolean;

  @ApiPropertyOptional({
    example: 3,
    description: 'The version read (as If-Match): another one current is a 409',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  expectedVersion?: number;

  @ApiPropertyOptional({ example: 'tighter limits for the news', description: 'Why, kept in the history' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  comment?: string;
}

export class ConfigRollbackDto {
  @ApiProperty({
    example: 2,
    description: 'The version whose settings become current again (as a new version)',
  })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version!: number;

  @ApiPropertyOptional({ example: 5, description: 'The version read: another one current is a 409' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  expectedVersion?: number;
}

export class ConfigUpdateResultDto {
  @ApiProperty({ example: true })
  success!: boolean;
  @ApiProperty({ example: 'Configuration updated successfully' })
  message!: string;
  @ApiProperty({ type: [String], example: ['risk.dailyLossLimitR', 'dca.maxAttempts'] })
  updatedFields!: string[];
  @ApiProperty({ example: false, description: 'Always false: every runtime setting applies at once' })
  restartRequired!: boolean;
  @ApiProperty({ example: 4, description: 'The version in force after the call' })
  version!: number;
}

export class SettingChangeDto {
  @ApiProperty({ example: 'risk.dailyLossLimitR' })
  path!: string;
  @ApiProperty({
    oneOf: [{ type: 'number', nullable: true }, { type: 'boolean' }],
    example: null,
    description: 'The value before (null: none)',
  })
  from!: unknown;
  @ApiProperty({
    oneOf: [{ type: 'number', nullable: true }, { type: 'boolean' }],
    example: 3,
    description: 'The value after (null: none)',
  })
  to!: unknown;
}

export class ConfigVersionDto {
  @ApiProperty({ example: 4 })
  version!: number;
  @ApiProperty({
    example: 'user:admin',
    description: '`user:<name>`, `apiKey:<name>`, or `system` for the first',
  })
  author!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ nullable: true, type: String, example: 'rollback to version 2' })
  comment!: string | null;
  @ApiProperty({ type: [SettingChangeDto] })
  changes!: SettingChangeDto[];
}

export class ConfigVersionListDto extends PageOf(ConfigVersionDto) {}
