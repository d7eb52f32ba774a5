import { ApiProperty } from '@nestjs/swagger';

/** The answer of an action that returns nothing else: sign-out, delete, revoke. */
export class ActionResultDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ example: 'Done' })
  message!: string;
}

/** Seed 002's answer to a command or change: success, message and when it was done. */
export class StampedResultDto extends ActionResultDto {
  @ApiProperty({ format: 'date-time', example: '2026-01-16T12:00:00.000Z' })
  timestamp!: string;
}
