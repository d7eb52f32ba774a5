import { createHmac, timingSafeEqual } from 'node:crypto';
import { FakeReply, FakeRequest, FakeVenue, VenueOrder } from './fake-venue';

const INTERVAL_MS: Record<string, number> = {
  '1': 60_000,
  '5': 300_000,
  '15': 900_000,
  '60': 3_600_000,
  '240': 14_400_000,
  D: 86_400_000,
};

function ok(result: unknown): FakeReply {
  return { status: 200, body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: Date.now() } };
}

/** Bybit answers most refusals with HTTP 200 and a non-zero retCode. */
function refused(retCode: number, retMsg: string): FakeReply {
  return { status: 200, body: { retCode, retMsg, result: {}, retExtInfo: {}, time: Date.now() } };
}

/**
 * The Bybit V5 REST dialect (unified trading account, spot category) for the calls the ccxt adapter
 * makes. Private requests are checked as Bybit does: X-BAPI-API-KEY, a timestamp within
 * X-BAPI-RECV-WINDOW of the server's clock, and X-BAPI-SIGN = HMAC-SHA256 over
 * timestamp + key + recvWindow + (the JSON body of a POST, or the query string of a GET).
 */
export class FakeBybit extends FakeVenue {
  /** Bybit's fetch-order endpoint sees open orders and the account's last 500 orders; older ones are in its history. */
  realtimeWindow = 500;

  protected rateLimitReply(): FakeReply {
    return {
      status: 429,
      body: { retCode: 10006, retMsg: 'Too many visits!', result: {}, time: Date.now() },
    };
  }

  protected serverErrorReply(): FakeReply {
    return { status: 503, body: 'Service Unavailable' };
  }

  private verify(request: FakeRequest): boolean {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : '';
    };
    const timestamp = header('x-bapi-timestamp');
    const recvWindow = header('x-bapi-recv-window');
    const sign = header('x-bapi-sign');
    if (header('x-bapi-api-key') !== this.apiKey || !/^[0-9a-f]{64}$/.test(sign)) return false;
    if (Math.abs(Date.now() - Number(timestamp)) > Number(recvWindow || 5000)) return false;
    const payload = request.method === 'POST' ? request.body : request.rawQuery;
    const expected = createHmac('sha256', this.secret)
      .update(timestamp + this.apiKey + recvWindow + payload)
      .digest();
    const given = Buffer.from(sign, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  protected route(request: FakeRequest): FakeReply {
    const { path, method, query } = request;
    if (path === '/v5/market/time') {
      const now = Date.now();
      return ok({ timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` });
    }
    if (path === '/v5/market/instruments-info') return this.instruments(query.get('category'));
    if (path === '/v5/market/tickers') return this.ticker(query.get('symbol'));
    if (path === '/v5/market/orderbook')
      return this.orderBook(query.get('symbol'), Number(query.get('limit') ?? 50));
    if (path === '/v5/market/kline') return this.candles(query);

    if (!this.verify(request)) {
      this.rejectedSignatures++;
      return { status: 401, body: { retCode: 10004, retMsg: 'error sign! origin_string[...]', result: {} } };
    }
    this.signedRequests++;
    const params =
      method === 'POST'
        ? new URLSearchParams(Object.entries(JSON.parse(request.body || '{}') as Record<string, string>))
        : query;
    if (path === '/v5/user/query-api')
      return ok({ id: '1', apiKey: this.apiKey, readOnly: 0, unified: 0, uta: 1 });
    if (path === '/v5/account/info') return ok({ unifiedMarginStatus: 6, marginMode: 'REGULAR_MARGIN' });
    if (path === '/v5/account/wallet-balance') return ok({ list: [this.wallet()] });
    if (path === '/v5/order/create' && method === 'POST') return this.placeOrder(params);
    if (path === '/v5/order/cancel' && method === 'POST') {
      const order = this.findOrder(params.get('symbol'), params.get('orderId'), params.get('orderLinkId'));
      if (!order || !this.cancel(order)) return refused(170213, 'Order does not exist.');
      return ok({ orderId: String(order.id), orderLinkId: order.clientOrderId });
    }
    if (path === '/v5/order/realtime') {
      const byId = params.get('orderId') || params.get('orderLinkId');
      const found = this.findOrder(
        params.get('symbol'),
        params.get('orderId') || null,
        params.get('orderLinkId'),
      );
      // Open orders, and the account's last `realtimeWindow` orders of any status.
      const recent = new Set(this.orders.slice(-this.realtimeWindow));
      const orders = byId
        ? [found].filter(
            (order): order is VenueOrder =>
              order !== undefined && (order.status === 'open' || recent.has(order)),
          )
        : this.openOrders(params.get('symbol'));
      return ok({ category: 'spot', list: orders.map((order) => this.toBybit(order)), nextPageCursor: '' });
    }
    if (path === '/v5/order/history') {
      const byId = params.get('orderId') || params.get('orderLinkId');
      const orders = this.orders.filter(
        (order) =>
          order.status !== 'open' &&
          (!params.get('symbol') || order.marketId === params.get('symbol')) &&
          (!byId ||
            (params.get('orderId')
              ? String(order.id) === params.get('orderId')
              : order.clientOrderId === params.get('orderLinkId'))),
      );
      return ok({ category: 'spot', list: orders.map((order) => this.toBybit(order)), nextPageCursor: '' });
    }
    if (path === '/v5/execution/list')
      return ok({
        category: 'spot',
        list: this.filledOrders(params.get('symbol')).map((order) => this.toExecution(order)),
        nextPageCursor: '',
      });
    return refused(10001, `fake exchange does not answer ${method} ${path}`);
  }

  private instruments(category: string | null): FakeReply {
    if (category !== 'spot') return ok({ category, list: [] });
    return ok({
      category: 'spot',
      list: [...this.markets.values()].map((market) => ({
        symbol: market.id,
        baseCoin: market.base,
        quoteCoin: market.quote,
        innovation: '0',
        status: 'Trading',
        marginTrading: 'none',
        lotSizeFilter: {
          basePrecision: market.step,
          quotePrecision: '0.00000001',
          minOrderQty: market.step,
          maxOrderQty: '9000',
          minOrderAmt: '5',
          maxOrderAmt: '9000000',
        },
        priceFilter: { tickSize: market.tick },
      })),
    });
  }

  private ticker(symbol: string | null): FakeReply {
    const market = this.market(symbol);
    if (!market) return refused(10001, 'Not supported symbols');
    const book = this.depth(market, 1);
    return ok({
      category: 'spot',
      list: [
        {
          symbol: market.id,
          bid1Price: String(book.bids[0][0]),
          bid1Size: String(book.bids[0][1]),
          ask1Price: String(book.asks[0][0]),
          ask1Size: String(book.asks[0][1]),
          lastPrice: String(market.price),
          prevPrice24h: String(market.price / 1.015),
          price24hPcnt: '0.015',
          highPrice24h: String(market.price * 1.02),
          lowPrice24h: String(market.price * 0.98),
          turnover24h: String(1234.5 * market.price),
          volume24h: '1234.5',
        },
      ],
    });
  }

  private orderBook(symbol: string | null, limit: number): FakeReply {
    const market = this.market(symbol);
    if (!market) return refused(10001, 'Not supported symbols');
    const book = this.depth(market, limit);
    const text = (levels: number[][]) => levels.map(([price, amount]) => [String(price), String(amount)]);
    return ok({ s: market.id, b: text(book.bids), a: text(book.asks), ts: Date.now(), u: 1, seq: 1 });
  }

  private candles(query: URLSearchParams): FakeReply {
    const market = this.market(query.get('symbol'));
    const span = INTERVAL_MS[query.get('interval') ?? ''];
    if (!market || !span) return refused(10001, 'Invalid symbol or interval');
    const rows = this.klines(
      market,
      span,
      Number(query.get('start') ?? 0),
      Number(query.get('limit') ?? 200),
    );
    return ok({
      symbol: market.id,
      category: 'spot',
      // Bybit lists the newest candle first.
      list: rows
        .reverse()
        .map(([time, open, high, low, close, volume]) =>
          [time, open, high, low, close, volume, volume * close].map(String),
        ),
    });
  }

  private wallet(): unknown {
    return {
      accountType: 'UNIFIED',
      totalEquity: '0',
      coin: [...this.balances].map(([coin, b]) => ({
        coin,
        walletBalance: (b.free + b.locked).toFixed(8),
        locked: b.locked.toFixed(8),
        equity: (b.free + b.locked).toFixed(8),
      })),
    };
  }

  private placeOrder(params: URLSearchParams): FakeReply {
    if (params.get('category') !== 'spot') return refused(10001, 'category only spot here');
    const type = params.get('orderType') === 'Limit' ? 'limit' : 'market';
    if (type === 'market' && params.get('marketUnit') === 'quoteCoin')
      return refused(10001, 'this fake takes market orders in baseCoin');
    const result = this.place({
      marketId: params.get('symbol') ?? '',
      side: params.get('side') === 'Sell' ? 'sell' : 'buy',
      type,
      amount: Number(params.get('qty')),
      price: Number(params.get('price')),
      clientOrderId: params.get('orderLinkId') ?? '',
    });
    if (result === 'badSymbol') return refused(10001, 'Not supported symbols');
    if (result === 'duplicate') return refused(170141, 'Duplicate clientOrderId');
    if (result === 'insufficient') return refused(170131, 'Insufficient balance.');
    return ok({ orderId: String(result.id), orderLinkId: result.clientOrderId });
  }

  private toBybit(order: VenueOrder): unknown {
    return {
      orderId: String(order.id),
      orderLinkId: order.clientOrderId,
      symbol: order.marketId,
      price: order.type === 'limit' ? order.price.toFixed(2) : '0',
      qty: String(order.amount),
      side: order.side === 'buy' ? 'Buy' : 'Sell',
      orderStatus: { open: 'New', filled: 'Filled', canceled: 'Cancelled' }[order.status],
      orderType: order.type === 'limit' ? 'Limit' : 'Market',
      timeInForce: order.type === 'limit' ? 'GTC' : 'IOC',
      cumExecQty: String(order.filled),
      cumExecValue: String(order.cost),
      cumExecFee: String(order.fee),
      avgPrice: order.filled > 0 ? String(order.cost / order.filled) : '',
      leavesQty: String(order.amount - order.filled),
      triggerPrice: '0',
      createdTime: String(order.createdAt),
      updatedTime: String(order.updatedAt),
    };
  }

  private toExecution(order: VenueOrder): unknown {
    return {
      symbol: order.marketId,
      orderId: String(order.id),
      orderLinkId: order.clientOrderId,
      side: order.side === 'buy' ? 'Buy' : 'Sell',
      orderType: order.type === 'limit' ? 'Limit' : 'Market',
      execId: `exec-${order.id}`,
      execPrice: String(order.cost / order.filled),
      execQty: String(order.filled),
      execValue: String(order.cost),
      execFee: String(order.fee),
      feeCurrency: order.feeCurrency,
      execTime: String(order.updatedAt),
      isMaker: false,
    };
  }
}
