import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape, documented once and referenced by every route. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'VALIDATION_ERROR', description: 'Stable UPPER_SNAKE error code' })
  error!: string;

  @ApiProperty({ example: 'amount: amount must be a positive number' })
  message!: string;

  @ApiPropertyOptional({
    description: 'Per-field problems or other structured detail',
    type: 'object',
    additionalProperties: true,
  })
  details?: unknown;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z', format: 'date-time' })
  timestamp!: string;

  @ApiProperty({ example: '3f0c6a9e-4d1b-4d8e-9a57-2f1c0b9d7e11' })
  requestId!: string;
}
