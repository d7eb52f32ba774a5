import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';

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

export class BalancesResponseDto extends PageOf(BalanceDto) {
  @ApiProperty({ example: 'paper', description: 'The venue the balances are on' })
  exchange!: string;

  @ApiProperty({ example: 'default' })
  account!: string;

  @ApiProperty({ example: 10000, description: 'Sum of usdValue over every currency, on all pages' })
  totalUsdValue!: number;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
