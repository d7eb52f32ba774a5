import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export class OrderBookQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 20,
    description: 'Levels per side',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  depth: number = 20;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "An exchange account: the book of that exchange instead of the simulated market's",
  })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class OrderBookResponseDto {
  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ example: 'simulated' })
  exchange!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
    example: [[59990.1, 0.25]],
    description: '[price, amount] pairs, best (highest) first',
  })
  bids!: Array<[number, number]>;

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
    example: [[60000.2, 0.31]],
    description: '[price, amount] pairs, best (lowest) first',
  })
  asks!: Array<[number, number]>;

  @ApiProperty({ example: 59995.15 })
  mid!: number;

  @ApiProperty({ example: 10.1, description: 'Best ask minus best bid' })
  spread!: number;

  @ApiProperty({ example: 1.68 })
  spreadBps!: number;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
