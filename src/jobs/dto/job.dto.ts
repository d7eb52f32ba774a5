import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageOf, PageQueryDto } from '../../platform/http/page.dto';
import { JOB_STATES, JobState } from '../../platform/jobs/job-queue';

export class JobQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'backtest', description: 'Only jobs of this queue' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[\w.\-/]+$/, { message: 'queue: letters, digits, _ . - / only' })
  queue?: string;

  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;
}

export class JobDto {
  @ApiProperty({ format: 'uuid', description: "A backtest's job has the backtest's id" })
  id!: string;

  @ApiProperty({ example: 'backtest' })
  queue!: string;

  @ApiProperty({ enum: JOB_STATES })
  state!: JobState;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  progress!: number;

  @ApiProperty({ type: 'integer', description: 'Attempts started so far' })
  attempts!: number;

  @ApiProperty({ type: 'integer', description: 'Attempts allowed, the first included' })
  maxAttempts!: number;

  @ApiProperty({ type: String, nullable: true })
  singletonKey!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the job was given',
  })
  data!: unknown;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the job returned, once completed',
  })
  result!: unknown;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed' })
  error!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

export class JobListDto extends PageOf(JobDto) {}
