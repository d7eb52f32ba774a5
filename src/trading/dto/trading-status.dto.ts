import { ApiProperty } from '@nestjs/swagger';
import { PositionDto } from './position.dto';

export class TradingStatusDto {
  @ApiProperty({ description: 'Trading is enabled (new orders accepted)' })
  active!: boolean;

  @ApiProperty({ enum: ['paper', 'live'], description: 'Where the default account trades' })
  mode!: 'paper' | 'live';

  @ApiProperty({ example: 10234.5, description: 'Paper account value in USDT at current prices' })
  portfolioValue!: number;

  @ApiProperty({ example: 2 })
  openPositions!: number;

  @ApiProperty({ example: 12.3, description: 'Realised PnL of trades closed since 00:00 UTC' })
  dailyPnl!: number;

  @ApiProperty({ example: 25 })
  totalTrades!: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastTradeTime!: string | null;

  @ApiProperty({ type: [PositionDto] })
  positions!: PositionDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Last order reconciliation',
  })
  lastReconciliation!: string | null;

  @ApiProperty({
    description:
      'This instance runs the periodic order reconciliation (with several instances on one database, one does)',
  })
  reconciliationLeader!: boolean;

  @ApiProperty({
    description: 'This instance watches stop losses and take profits (with several instances, one does)',
  })
  guardLeader!: boolean;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
