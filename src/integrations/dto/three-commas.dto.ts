import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { AccountHealthErrorDto } from '../../exchange/dto/account-health.dto';
import { PageOf } from '../../platform/http/page.dto';

export class CreateThreeCommasAccountDto {
  @ApiProperty({ example: '3Commas main' })
  @IsString()
  @Length(1, 100)
  label!: string;

  @ApiProperty({ format: 'password', description: 'Stored encrypted; never returned' })
  @IsString()
  @Length(8, 512)
  apiKey!: string;

  @ApiProperty({ format: 'password', description: 'Stored encrypted; never returned' })
  @IsString()
  @Length(8, 1024)
  secret!: string;
}

export class ThreeCommasAccountDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '3Commas main' })
  label!: string;

  @ApiProperty({ example: '…a1b2', description: 'The last 4 characters of the API key only' })
  apiKey!: string;

  @ApiProperty({ example: 1, description: 'Master-key version the credentials are sealed with' })
  keyVersion!: number;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When 3Commas last answered',
  })
  lastSync!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class ThreeCommasAccountListDto extends PageOf(ThreeCommasAccountDto) {}

export class ThreeCommasConnectionQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The 3Commas connection; may be left out when there is exactly one',
  })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

/** A page of 3Commas' own lists (it answers at most 100 a request here). */
class ThreeCommasPageQueryDto extends ThreeCommasConnectionQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // 1e308 is an integer to JavaScript: offsets stay within the safe integers.
  @Max(Number.MAX_SAFE_INTEGER)
  offset: number = 0;
}

export class ThreeCommasBotQueryDto extends ThreeCommasPageQueryDto {
  @ApiPropertyOptional({ enum: ['enabled', 'disabled'] })
  @IsOptional()
  @IsIn(['enabled', 'disabled'])
  scope?: 'enabled' | 'disabled';
}

export class ThreeCommasDealQueryDto extends ThreeCommasPageQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'finished', 'completed', 'cancelled', 'failed'] })
  @IsOptional()
  @IsIn(['active', 'finished', 'completed', 'cancelled', 'failed'])
  scope?: 'active' | 'finished' | 'completed' | 'cancelled' | 'failed';

  @ApiPropertyOptional({ type: 'integer', description: "3Commas' bot id" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  botId?: number;
}

export class StartThreeCommasDealDto {
  @ApiPropertyOptional({
    example: 'BTC/USDT',
    description: "The pair of the new deal (a multi-pair bot needs one); 3Commas' own choice when left out",
  })
  @IsOptional()
  @Matches(/^[A-Z0-9]{1,15}\/[A-Z0-9]{1,15}$/, { message: 'symbol must look like BTC/USDT' })
  symbol?: string;
}

export class ThreeCommasExchangeAccountDto {
  @ApiProperty({ example: 31001, description: "3Commas' id of the exchange account" })
  id!: number;

  @ApiProperty({ example: 'Binance main' })
  name!: string;

  @ApiProperty({ nullable: true, type: String, example: 'binance' })
  exchange!: string | null;

  @ApiProperty({ nullable: true, type: Number, example: 12500.5, description: 'Its value in USD' })
  usdAmount!: number | null;
}

export class ThreeCommasHealthDto {
  @ApiProperty({ format: 'uuid', description: 'The 3Commas connection' })
  accountId!: string;

  @ApiProperty({ example: '3Commas main' })
  label!: string;

  @ApiProperty({ description: '3Commas answered authenticated calls just now' })
  connected!: boolean;

  @ApiProperty({ type: [ThreeCommasExchangeAccountDto], description: 'Exchange accounts linked in 3Commas' })
  exchangeAccounts!: ThreeCommasExchangeAccountDto[];

  @ApiProperty({ nullable: true, type: Number, example: 12500.5, description: 'USD value of them all' })
  balance!: number | null;

  @ApiProperty({ nullable: true, type: 'integer', example: 3, description: 'Enabled bots' })
  activeBots!: number | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastSync!: string | null;

  @ApiProperty({ example: 182 })
  latencyMs!: number;

  @ApiProperty({
    type: AccountHealthErrorDto,
    nullable: true,
    description: "Why the check failed (3Commas' error)",
  })
  error!: AccountHealthErrorDto | null;

  @ApiProperty({ format: 'date-time' })
  checkedAt!: string;
}

/** A page of one of 3Commas' lists: it gives no total, only whether a page came back full. */
function ThreeCommasPageOf<T>(item: new () => T) {
  class Page {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({ type: 'integer' })
    limit!: number;

    @ApiProperty({ type: 'integer' })
    offset!: number;

    @ApiProperty({ description: '3Commas gave a full page: there may be more' })
    hasMore!: boolean;
  }
  return Page;
}

export class ThreeCommasBotDto {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 31001, description: "3Commas' exchange account of the bot" })
  exchangeAccountId!: number;

  @ApiProperty({ example: 'BTC long' })
  name!: string;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: [String], example: ['BTC/USDT'] })
  symbols!: string[];

  @ApiProperty({ nullable: true, type: String, example: 'long' })
  strategy!: string | null;

  @ApiProperty({ nullable: true, type: 'integer', example: 5 })
  maxSafetyOrders!: number | null;

  @ApiProperty({ nullable: true, type: 'integer', example: 1 })
  activeDeals!: number | null;
}

export class ThreeCommasBotListDto extends ThreeCommasPageOf(ThreeCommasBotDto) {}

export class ThreeCommasDealDto {
  @ApiProperty({ example: 9001 })
  id!: number;

  @ApiProperty({ example: 7 })
  botId!: number;

  @ApiProperty({ nullable: true, type: String })
  botName!: string | null;

  @ApiProperty({ example: 'BTC/USDT' })
  symbol!: string;

  @ApiProperty({ example: 'completed', description: "3Commas' status of the deal" })
  status!: string;

  @ApiProperty()
  finished!: boolean;

  @ApiProperty({ nullable: true, type: String, example: 'long' })
  strategy!: string | null;

  @ApiProperty({ type: 'integer', description: 'Safety orders filled (DCA attempts)' })
  safetyOrders!: number;

  @ApiProperty({ nullable: true, type: Number })
  boughtAmount!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  boughtAveragePrice!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  soldAmount!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  soldAveragePrice!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Final profit in the quote currency' })
  profit!: number | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  closedAt!: string | null;
}

export class ThreeCommasDealListDto extends ThreeCommasPageOf(ThreeCommasDealDto) {}
