import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { FakeReply, FakeRequest, FakeVenue, VenueMarket, VenueOrder } from './fake-venue';

export type { Fault, FaultKind } from './fake-venue';

const INTERVAL_MS: Record<string, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

function binanceError(code: number, msg: string): FakeReply {
  return { status: 400, body: { code, msg } };
}

/**
 * The Binance spot REST dialect for the calls the ccxt adapter makes. Every private request's
 * HMAC-SHA256 signature (over the urlencoded parameters in the order sent) and API key are checked.
 */
export class FakeBinance extends FakeVenue {
  private readonly sockets = new WebSocketServer({ noServer: true });
  /** Market-stream connections and the streams each subscribed to (`btcusdt@kline_1m`). */
  private readonly marketStreams = new Map<WebSocket, Set<string>>();
  /** WebSocket API connections that subscribed to the user data stream (with a valid signature). */
  private readonly userStreams = new Set<WebSocket>();
  /** Connections ever opened, by kind: a dropped stream that reconnects shows here. */
  readonly connections = { market: 0, user: 0 };
  private nextEventTradeId = 500_000;

  protected override upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = new URL(request.url ?? '/', this.baseUrl).pathname;
    const kind = path.startsWith('/ws-api/')
      ? 'user'
      : path === '/ws' || path.startsWith('/ws/')
        ? 'market'
        : null;
    if (!kind) {
      socket.destroy();
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (ws) => {
      this.connections[kind]++;
      if (kind === 'market') this.openMarketStream(ws);
      else this.openUserStream(ws);
    });
  }

  /** Subscribed streams across all connections. */
  get subscribedStreams(): string[] {
    return [...new Set([...this.marketStreams.values()].flatMap((streams) => [...streams]))];
  }

  /** How many connections have the user data stream. */
  get userStreamCount(): number {
    return this.userStreams.size;
  }

  private openMarketStream(ws: WebSocket): void {
    this.marketStreams.set(ws, new Set());
    ws.on('close', () => this.marketStreams.delete(ws));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { method?: string; params?: string[]; id?: unknown };
      const streams = this.marketStreams.get(ws);
      if (!streams) return;
      if (message.method === 'SUBSCRIBE') for (const stream of message.params ?? []) streams.add(stream);
      if (message.method === 'UNSUBSCRIBE') for (const stream of message.params ?? []) streams.delete(stream);
      ws.send(JSON.stringify({ result: null, id: message.id }));
    });
  }

  private openUserStream(ws: WebSocket): void {
    ws.on('close', () => this.userStreams.delete(ws));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        method?: string;
        params?: Record<string, unknown>;
        id?: string;
      };
      if (message.method === 'userDataStream.subscribe.signature') {
        if (!this.verifyWsSignature(message.params ?? {})) {
          this.rejectedSignatures++;
          ws.send(
            JSON.stringify({
              id: message.id,
              status: 400,
              error: { code: -1022, msg: 'Signature for this request is not valid.' },
            }),
          );
          return;
        }
        this.userStreams.add(ws);
        ws.send(JSON.stringify({ id: message.id, status: 200, result: { subscriptionId: 0 } }));
        return;
      }
      ws.send(JSON.stringify({ id: message.id, status: 400, error: { code: -1000, msg: 'unknown method' } }));
    });
  }

  /** The WebSocket API's signature: HMAC-SHA256 over the other parameters, sorted by name. */
  private verifyWsSignature(params: Record<string, unknown>): boolean {
    const { signature, ...rest } = params;
    if (rest.apiKey !== this.apiKey || typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature))
      return false;
    const payload = Object.keys(rest)
      .sort()
      .map((key) => `${key}=${String(rest[key])}`)
      .join('&');
    const expected = createHmac('sha256', this.secret).update(payload).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }

  /**
   * The kline streams report the candle that just closed (by the market's time), final, and the one
   * that opened, as Binance does at each close.
   */
  closeKlines(interval: string): void {
    const span = INTERVAL_MS[interval];
    const opened = Math.floor(this.marketNow() / span) * span;
    for (const [ws, streams] of this.marketStreams)
      for (const market of this.markets.values()) {
        const stream = `${market.id.toLowerCase()}@kline_${interval}`;
        if (!streams.has(stream)) continue;
        ws.send(JSON.stringify(this.klineEvent(market, interval, opened - span, true)));
        ws.send(JSON.stringify(this.klineEvent(market, interval, opened, false)));
      }
  }

  /** Every WebSocket connection drops at once (a network fault); REST goes on answering. */
  dropStreams(): void {
    for (const ws of [...this.marketStreams.keys(), ...this.userStreams]) ws.terminate();
  }

  private klineEvent(market: VenueMarket, interval: string, openTime: number, final: boolean): unknown {
    const span = INTERVAL_MS[interval];
    const [time, open, high, low, close, volume] = this.klines(market, span, openTime, 1)[0] ?? [
      openTime,
      market.price,
      market.price,
      market.price,
      market.price,
      0,
    ];
    return {
      e: 'kline',
      E: this.marketNow(),
      s: market.id,
      k: {
        t: time,
        T: time + span - 1,
        s: market.id,
        i: interval,
        f: 1,
        L: 2,
        o: String(open),
        c: String(close),
        h: String(high),
        l: String(low),
        v: String(volume),
        n: 10,
        x: final,
        q: String(volume * close),
        V: '0',
        Q: '0',
        B: '0',
      },
    };
  }

  protected override orderChanged(order: VenueOrder, execution: 'NEW' | 'TRADE' | 'CANCELED'): void {
    if (this.userStreams.size === 0) return;
    const traded = execution === 'TRADE';
    const price = order.filled > 0 ? order.cost / order.filled : order.price;
    const event = {
      e: 'executionReport',
      E: Date.now(),
      s: order.marketId,
      c: order.clientOrderId,
      S: order.side.toUpperCase(),
      o: order.type.toUpperCase(),
      f: 'GTC',
      q: order.amount.toFixed(8),
      p: order.price.toFixed(2),
      P: '0.00000000',
      F: '0.00000000',
      g: -1,
      C: '',
      x: execution,
      X: { open: 'NEW', filled: 'FILLED', canceled: 'CANCELED' }[order.status],
      r: 'NONE',
      i: order.id,
      l: traded ? order.filled.toFixed(8) : '0.00000000',
      z: order.filled.toFixed(8),
      L: traded ? price.toFixed(2) : '0.00000000',
      n: traded ? order.fee.toFixed(8) : '0',
      N: traded ? order.feeCurrency : null,
      T: order.updatedAt,
      t: traded ? this.nextEventTradeId++ : -1,
      I: 1,
      w: order.status === 'open',
      m: false,
      M: traded,
      O: order.createdAt,
      Z: order.cost.toFixed(8),
      Y: traded ? order.cost.toFixed(8) : '0.00000000',
      Q: '0.00000000',
    };
    const message = JSON.stringify({ subscriptionId: 0, event });
    for (const ws of this.userStreams) ws.send(message);
  }

  override async stop(): Promise<void> {
    for (const ws of [...this.marketStreams.keys(), ...this.userStreams]) ws.terminate();
    await super.stop();
  }
  protected rateLimitReply(): FakeReply {
    return {
      status: 429,
      body: { code: -1003, msg: 'Too many requests; current limit is 1200 request weight per 1 MINUTE.' },
    };
  }

  protected serverErrorReply(): FakeReply {
    return {
      status: 503,
      body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' },
    };
  }

  private verify(request: FakeRequest): boolean {
    const payload = request.method === 'POST' ? request.body : request.rawQuery;
    const match = /^(.*)&signature=([0-9a-f]{64})$/.exec(payload);
    if (request.headers['x-mbx-apikey'] !== this.apiKey || !match) return false;
    const expected = createHmac('sha256', this.secret).update(match[1]).digest();
    const given = Buffer.from(match[2], 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  protected route(request: FakeRequest): FakeReply {
    const { path, method, query } = request;
    if (path === '/api/v3/time') return { status: 200, body: { serverTime: Date.now() } };
    if (path === '/api/v3/exchangeInfo') return { status: 200, body: this.exchangeInfo() };
    if (path === '/api/v3/ticker/24hr') return this.ticker(query.get('symbol'));
    if (path === '/api/v3/depth')
      return this.orderBook(query.get('symbol'), Number(query.get('limit') ?? 100));
    if (path === '/api/v3/klines') return this.candles(query);

    if (!this.verify(request)) {
      this.rejectedSignatures++;
      return binanceError(-1022, 'Signature for this request is not valid.');
    }
    this.signedRequests++;
    const params = new URLSearchParams(method === 'POST' ? request.body : request.rawQuery);
    if (path === '/api/v3/account' && method === 'GET') return { status: 200, body: this.account() };
    if (path === '/api/v3/order' && method === 'POST') return this.placeOrder(params);
    if (path === '/api/v3/order' && method === 'GET') {
      const order = this.findOrder(
        params.get('symbol'),
        params.get('orderId'),
        params.get('origClientOrderId'),
      );
      return order
        ? { status: 200, body: this.toBinance(order) }
        : binanceError(-2013, 'Order does not exist.');
    }
    if (path === '/api/v3/order' && method === 'DELETE') {
      const order = this.findOrder(
        params.get('symbol'),
        params.get('orderId'),
        params.get('origClientOrderId'),
      );
      if (!order || !this.cancel(order)) return binanceError(-2011, 'Unknown order sent.');
      return { status: 200, body: this.toBinance(order) };
    }
    if (path === '/api/v3/openOrders')
      return {
        status: 200,
        body: this.openOrders(params.get('symbol')).map((order) => this.toBinance(order)),
      };
    if (path === '/api/v3/myTrades') {
      // Binance: from a trade id on when fromId is given, else the most recent; at most `limit` (500).
      const limit = Math.min(Number(params.get('limit') ?? 500), 1000);
      const all = this.filledOrders(params.get('symbol')).sort((a, b) => a.id - b.id);
      const fromId = params.get('fromId');
      const page =
        fromId === null
          ? all.slice(-limit)
          : all.filter((order) => order.id >= Number(fromId)).slice(0, limit);
      return { status: 200, body: page.map((order) => this.toTrade(order)) };
    }
    return binanceError(-1000, `fake exchange does not answer ${method} ${path}`);
  }

  private exchangeInfo(): unknown {
    return {
      timezone: 'UTC',
      serverTime: Date.now(),
      rateLimits: [],
      symbols: [...this.markets.values()].map((market) => ({
        symbol: market.id,
        status: 'TRADING',
        baseAsset: market.base,
        baseAssetPrecision: 8,
        quoteAsset: market.quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        orderTypes: ['LIMIT', 'MARKET', 'STOP_LOSS_LIMIT'],
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        permissions: ['SPOT'],
        permissionSets: [['SPOT']],
        filters: [
          {
            filterType: 'PRICE_FILTER',
            minPrice: market.tick,
            maxPrice: '1000000.00',
            tickSize: market.tick,
          },
          { filterType: 'LOT_SIZE', minQty: market.step, maxQty: '9000.00', stepSize: market.step },
          {
            filterType: 'NOTIONAL',
            minNotional: '5.00',
            applyMinToMarket: true,
            maxNotional: '9000000.00',
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
        ],
      })),
    };
  }

  private ticker(symbol: string | null): FakeReply {
    const market = this.market(symbol);
    if (!market) return binanceError(-1121, 'Invalid symbol.');
    const book = this.depth(market, 1);
    const now = Date.now();
    return {
      status: 200,
      body: {
        symbol: market.id,
        priceChange: '0',
        priceChangePercent: '1.5',
        lastPrice: String(market.price),
        bidPrice: String(book.bids[0][0]),
        bidQty: String(book.bids[0][1]),
        askPrice: String(book.asks[0][0]),
        askQty: String(book.asks[0][1]),
        openPrice: String(market.price),
        highPrice: String(market.price * 1.02),
        lowPrice: String(market.price * 0.98),
        volume: '1234.5',
        quoteVolume: String(1234.5 * market.price),
        openTime: now - 86_400_000,
        closeTime: now,
        count: 100,
      },
    };
  }

  private orderBook(symbol: string | null, limit: number): FakeReply {
    const market = this.market(symbol);
    if (!market) return binanceError(-1121, 'Invalid symbol.');
    const book = this.depth(market, limit);
    const text = (levels: number[][]) => levels.map(([price, amount]) => [String(price), String(amount)]);
    return { status: 200, body: { lastUpdateId: 1, bids: text(book.bids), asks: text(book.asks) } };
  }

  private candles(query: URLSearchParams): FakeReply {
    const market = this.market(query.get('symbol'));
    const span = INTERVAL_MS[query.get('interval') ?? ''];
    if (!market || !span) return binanceError(-1121, 'Invalid symbol or interval.');
    const rows = this.klines(
      market,
      span,
      Number(query.get('startTime') ?? 0),
      Number(query.get('limit') ?? 500),
    );
    return {
      status: 200,
      body: rows.map(([time, open, high, low, close, volume]) => [
        time,
        String(open),
        String(high),
        String(low),
        String(close),
        String(volume),
        time + span - 1,
        String(volume * close),
        10,
        '0',
        '0',
        '0',
      ]),
    };
  }

  private account(): unknown {
    return {
      makerCommission: 10,
      takerCommission: 10,
      canTrade: true,
      canWithdraw: false,
      canDeposit: false,
      updateTime: Date.now(),
      accountType: 'SPOT',
      balances: [...this.balances].map(([asset, b]) => ({
        asset,
        free: b.free.toFixed(8),
        locked: b.locked.toFixed(8),
      })),
      permissions: ['SPOT'],
    };
  }

  private placeOrder(params: URLSearchParams): FakeReply {
    const type = params.get('type') === 'LIMIT' ? 'limit' : 'market';
    const result = this.place({
      marketId: params.get('symbol') ?? '',
      side: params.get('side') === 'SELL' ? 'sell' : 'buy',
      type,
      amount: Number(params.get('quantity')),
      price: Number(params.get('price')),
      clientOrderId: params.get('newClientOrderId') ?? '',
    });
    if (result === 'badSymbol') return binanceError(-1121, 'Invalid symbol.');
    if (result === 'duplicate') return binanceError(-2010, 'Duplicate order sent.');
    if (result === 'insufficient')
      return binanceError(-2010, 'Account has insufficient balance for requested action.');
    return {
      status: 200,
      body: {
        ...this.toBinance(result),
        transactTime: result.createdAt,
        fills:
          result.status === 'filled'
            ? [
                {
                  price: (result.cost / result.filled).toFixed(2),
                  qty: result.filled.toFixed(8),
                  commission: result.fee.toFixed(8),
                  commissionAsset: result.feeCurrency,
                  tradeId: result.id,
                },
              ]
            : [],
      },
    };
  }

  private toBinance(order: VenueOrder): Record<string, unknown> {
    return {
      symbol: order.marketId,
      orderId: order.id,
      clientOrderId: order.clientOrderId,
      price: order.price.toFixed(2),
      origQty: order.amount.toFixed(8),
      executedQty: order.filled.toFixed(8),
      cummulativeQuoteQty: order.cost.toFixed(8),
      status: { open: 'NEW', filled: 'FILLED', canceled: 'CANCELED' }[order.status],
      timeInForce: 'GTC',
      type: order.type.toUpperCase(),
      side: order.side.toUpperCase(),
      time: order.createdAt,
      updateTime: order.updatedAt,
    };
  }

  private toTrade(order: VenueOrder): unknown {
    return {
      symbol: order.marketId,
      id: order.id,
      orderId: order.id,
      price: (order.cost / order.filled).toFixed(2),
      qty: order.filled.toFixed(8),
      quoteQty: order.cost.toFixed(8),
      commission: order.fee.toFixed(8),
      commissionAsset: order.feeCurrency,
      time: order.updatedAt,
      isBuyer: order.side === 'buy',
      isMaker: false,
      isBestMatch: true,
    };
  }
}
