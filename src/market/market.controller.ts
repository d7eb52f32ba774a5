import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../platform/access/access.decorators';
import { Role } from '../platform/access/role';
import { MarketDataResponseDto, MarketQueryDto } from './dto/market-query.dto';
import { OrderBookQueryDto, OrderBookResponseDto } from './dto/order-book.dto';
import { MarketDataService } from './market-data.service';

@ApiTags('market')
@Controller()
export class MarketController {
  constructor(private readonly marketData: MarketDataService) {}

  @Get('analytics/market')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Candles of a symbol with RSI, MACD, Bollinger bands, SMA/EMA 20 and ATR at every candle',
  })
  @ApiOkResponse({
    type: MarketDataResponseDto,
    description: 'Oldest candle first; `indicators` holds the newest values',
  })
  market(@Query() query: MarketQueryDto): Promise<MarketDataResponseDto> {
    return this.marketData.marketData(query);
  }

  @Get('orderbook/:symbol')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'Order book of a pair: BTC-USDT, BTCUSDT and BTC%2FUSDT all mean BTC/USDT' })
  @ApiOkResponse({ type: OrderBookResponseDto, description: 'Bids and asks, best first' })
  orderBook(
    @Param('symbol') symbol: string,
    @Query() query: OrderBookQueryDto,
  ): Promise<OrderBookResponseDto> {
    return this.marketData.orderBook(symbol, query.depth, query.accountId);
  }
}
