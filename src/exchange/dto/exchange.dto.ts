import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageOf } from '../../platform/http/page.dto';

export class ExchangeCapabilitiesDto {
  @ApiProperty() fetchBalance!: boolean;
  @ApiProperty() createOrder!: boolean;
  @ApiProperty() cancelOrder!: boolean;
  @ApiProperty() fetchOrder!: boolean;
  @ApiProperty() fetchOpenOrders!: boolean;
  @ApiProperty() fetchMyTrades!: boolean;
  @ApiProperty() fetchTicker!: boolean;
  @ApiProperty() fetchOrderBook!: boolean;
  @ApiProperty() fetchOHLCV!: boolean;
  @ApiProperty({ description: 'Has WebSocket ("pro") streams' }) websocket!: boolean;
}

export class ExchangeInfoDto {
  @ApiProperty({ example: 'bybit', description: 'ccxt id' })
  id!: string;

  @ApiProperty({ example: 'Bybit' })
  name!: string;

  @ApiProperty()
  spot!: boolean;

  @ApiProperty()
  swap!: boolean;

  @ApiProperty({ description: 'Has a sandbox/testnet' })
  sandbox!: boolean;

  @ApiProperty({ description: 'Needs a passphrase besides key and secret (e.g. BitGet)' })
  requiresPassphrase!: boolean;

  @ApiProperty({ type: ExchangeCapabilitiesDto })
  capabilities!: ExchangeCapabilitiesDto;
}

export class ExchangeListDto extends PageOf(ExchangeInfoDto) {}

/**
 * Exactly the settings an account may have. Anything else (urls, hostname, proxies, headers, options)
 * is refused with 400: request input never reaches ccxt's constructor options.
 */
export class CreateExchangeAccountDto {
  @ApiProperty({
    example: 'bybit',
    pattern: '^[a-z0-9]{2,32}$',
    description: 'A ccxt exchange id from GET /api/exchanges',
  })
  @Matches(/^[a-z0-9]{2,32}$/, { message: 'exchangeId must be a ccxt exchange id such as bybit' })
  exchangeId!: string;

  @ApiProperty({ example: 'Bybit main' })
  @IsString()
  @Length(1, 100)
  label!: string;

  @ApiPropertyOptional({ default: false, description: "Use the exchange's sandbox/testnet" })
  @IsOptional()
  @IsBoolean()
  sandbox?: boolean;

  @ApiPropertyOptional({ enum: ['spot', 'swap'], default: 'spot' })
  @IsOptional()
  @IsIn(['spot', 'swap'])
  marketType?: 'spot' | 'swap';

  @ApiProperty({ format: 'password', description: 'Stored encrypted; never returned' })
  @IsString()
  @Length(4, 512)
  apiKey!: string;

  @ApiProperty({ format: 'password', description: 'Stored encrypted; never returned' })
  @IsString()
  @Length(4, 1024)
  secret!: string;

  @ApiPropertyOptional({ format: 'password', description: 'For exchanges that need one; stored encrypted' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  passphrase?: string;
}

export class ExchangeAccountDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'bybit' })
  exchangeId!: string;

  @ApiProperty({ example: 'Bybit main' })
  label!: string;

  @ApiProperty()
  sandbox!: boolean;

  @ApiProperty({ enum: ['spot', 'swap'] })
  marketType!: string;

  @ApiProperty({ example: '…a1b2', description: 'The last 4 characters of the API key only' })
  apiKey!: string;

  @ApiProperty()
  hasPassphrase!: boolean;

  @ApiProperty({ example: 1, description: 'Master-key version the credentials are sealed with' })
  keyVersion!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class ExchangeAccountListDto extends PageOf(ExchangeAccountDto) {}
