import { ApiProperty } from '@nestjs/swagger';

export class WebSocketStatsDto {
  @ApiProperty({ example: 5 })
  totalConnections!: number;

  @ApiProperty({ example: 4 })
  authenticatedConnections!: number;

  @ApiProperty({
    type: [String],
    example: ['dashboard_001'],
    description: 'Session ids of /ws/<sessionId> connections',
  })
  activeSessions!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { orders: 3, 'tickers:BTC/USDT': 2 },
    description: 'Subscribers per topic',
  })
  subscriptionStats!: Record<string, number>;

  @ApiProperty({ example: 15847 })
  messagesSent!: number;

  @ApiProperty({ example: 15847, description: 'Since 00:00 UTC' })
  messagesSentToday!: number;

  @ApiProperty({ example: 120 })
  messagesReceived!: number;

  @ApiProperty({ example: 0, description: 'Not sent to clients over their buffer limit' })
  messagesDropped!: number;

  @ApiProperty({ example: 0, description: 'Clients closed with 1013 for not reading' })
  slowClientsDisconnected!: number;

  @ApiProperty({ example: 24.5 })
  uptimeHours!: number;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
