import { ApiProperty } from '@nestjs/swagger';

/** The answer of an action that returns nothing else: sign-out, delete, revoke. */
export class ActionResultDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ example: 'Done' })
  message!: string;
}
