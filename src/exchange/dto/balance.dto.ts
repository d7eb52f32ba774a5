import { ApiProperty } from '@nestjs/swagger';

export class BalanceDto {
  @ApiProperty({ example: 'USDT' })
  currency!: string;

  @ApiProperty({ example: 9500.25, description: 'Available for new orders' })
  free!: number;

  @ApiProperty({ example: 499.75, description: 'Held by open orders' })
  used!: number;

  @ApiProperty({ example: 10000 })
  total!: number;

  @ApiProperty({ example: 10000, description: 'Total valued at the current price in USDT' })
  usdValue!: number;
}

export class BalancesResponseDto {
  @ApiProperty({ example: 'paper', description: 'The venue the balances are on' })
  exchange!: string;

  @ApiProperty({ example: 'default' })
  account!: string;

  @ApiProperty({ type: [BalanceDto] })
  items!: BalanceDto[];

  @ApiProperty({ example: 10000, description: 'Sum of usdValue' })
  totalUsdValue!: number;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
