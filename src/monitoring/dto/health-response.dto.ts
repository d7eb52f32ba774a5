import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const SERVICE_STATUSES = ['healthy', 'degraded', 'unhealthy', 'not_configured', 'stopped'];

export class ResourceHealthDto {
  @ApiProperty({ enum: ['healthy', 'degraded'], example: 'healthy' })
  status!: 'healthy' | 'degraded';

  @ApiProperty({ type: [String], example: [], description: 'Resources over their limits, in words' })
  issues!: string[];

  @ApiProperty({ example: 3.2, description: 'Process CPU since the previous health check, % of all cores' })
  cpuPercent!: number;

  @ApiProperty({ example: 1.4, description: 'Resident memory as % of the host memory' })
  memoryPercent!: number;

  @ApiProperty({ example: 10.4, description: 'Mean event-loop delay since the previous health check' })
  eventLoopLagMs!: number;

  @ApiProperty({
    example: 41.5,
    nullable: true,
    type: Number,
    description: 'Disk of the data folder, % used',
  })
  diskUsedPercent!: number | null;
}

export class HealthServicesDto {
  @ApiProperty({ enum: SERVICE_STATUSES, example: 'healthy' })
  backend!: string;

  @ApiProperty({ enum: SERVICE_STATUSES, example: 'healthy' })
  database!: string;

  @ApiProperty({ enum: SERVICE_STATUSES, example: 'not_configured' })
  exchange!: string;

  @ApiProperty({ enum: SERVICE_STATUSES, example: 'not_configured' })
  redis!: string;

  @ApiProperty({ enum: SERVICE_STATUSES, example: 'not_configured' })
  engine!: string;
}

export class DatabaseCheckDto {
  @ApiProperty({ enum: ['healthy', 'unhealthy'], example: 'healthy' })
  status!: string;

  @ApiProperty({ enum: ['postgres', 'pglite'], example: 'pglite' })
  driver!: string;

  @ApiProperty({ example: 0.42, description: 'Round trip of SELECT 1' })
  latencyMs!: number;
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['healthy', 'degraded', 'unhealthy'], example: 'healthy' })
  status!: 'healthy' | 'degraded' | 'unhealthy';

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z', format: 'date-time' })
  timestamp!: string;

  @ApiProperty({ example: '0.1.0' })
  version!: string;

  @ApiProperty({ example: 3600 })
  uptimeSeconds!: number;

  @ApiProperty({ type: HealthServicesDto })
  services!: HealthServicesDto;

  @ApiProperty({ type: DatabaseCheckDto })
  database!: DatabaseCheckDto;

  @ApiProperty({ type: ResourceHealthDto })
  resourceHealth!: ResourceHealthDto;

  @ApiProperty({ example: false })
  engineInitialized!: boolean;

  @ApiProperty({ example: false })
  engineRunning!: boolean;
}

export class LivenessResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

export class ReadinessResponseDto {
  @ApiProperty({ enum: ['ready', 'not_ready'], example: 'ready' })
  status!: 'ready' | 'not_ready';

  @ApiProperty({ example: true })
  database!: boolean;

  @ApiPropertyOptional({ type: [String], example: [], description: 'Why the instance is not ready' })
  reasons?: string[];
}
