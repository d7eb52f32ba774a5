import { ApiProperty } from '@nestjs/swagger';

export class AccountHealthBalanceDto {
  @ApiProperty({ example: 'USDT' })
  currency!: string;

  @ApiProperty({ example: 9500.25 })
  free!: number;

  @ApiProperty({ example: 499.75 })
  used!: number;

  @ApiProperty({ example: 10000 })
  total!: number;
}

export class AccountHealthErrorDto {
  @ApiProperty({ example: 'EXCHANGE_ERROR' })
  code!: string;

  @ApiProperty({ example: 'the exchange did not answer: binance GET https://api.binance.com/api/v3/account' })
  message!: string;
}

export class ExchangeAccountHealthDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({ example: 'binance' })
  exchangeId!: string;

  @ApiProperty({ example: 'main binance' })
  label!: string;

  @ApiProperty({ description: 'The exchange answered an authenticated call just now' })
  connected!: boolean;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'SPOT',
    description: "The exchange's name for the account (SPOT, UNIFIED, ...); null when not connected",
  })
  accountType!: string | null;

  @ApiProperty({
    nullable: true,
    type: Boolean,
    description: 'The key may place orders; null when the exchange does not say or is not connected',
  })
  tradingEnabled!: boolean | null;

  @ApiProperty({ type: [AccountHealthBalanceDto], description: 'Currencies with a non-zero total' })
  balance!: AccountHealthBalanceDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the exchange last answered a call made with this account',
  })
  lastSync!: string | null;

  @ApiProperty({ example: 182, description: 'Duration of this check' })
  latencyMs!: number;

  @ApiProperty({ type: AccountHealthErrorDto, nullable: true, description: 'Why the check failed' })
  error!: AccountHealthErrorDto | null;

  @ApiProperty({ format: 'date-time' })
  checkedAt!: string;
}
