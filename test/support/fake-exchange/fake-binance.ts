import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

interface FakeOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: 'NEW' | 'FILLED' | 'CANCELED';
  timeInForce: string;
  type: string;
  side: 'BUY' | 'SELL';
  time: number;
  updateTime: number;
}

export type FaultKind = 'rateLimit' | 'serverError' | 'lostResponse';

/** A fault the fake applies once, to the next request matching method and path. */
export interface Fault {
  method: string;
  path: string;
  kind: FaultKind;
}

const MARKETS: Record<string, { base: string; quote: string; price: number; tick: string; step: string }> = {
  BTCUSDT: { base: 'BTC', quote: 'USDT', price: 60_000, tick: '0.01', step: '0.00001' },
  ETHUSDT: { base: 'ETH', quote: 'USDT', price: 3_000, tick: '0.01', step: '0.0001' },
};

/**
 * A loopback server that answers the Binance spot REST dialect for the calls the ccxt adapter makes,
 * and checks every private request's HMAC-SHA256 signature and API key as Binance does. Market orders
 * fill at the market's fixed price; limit orders rest. Counts what it saw, for assertions.
 */
export class FakeBinance {
  private server: Server | undefined;
  private nextOrderId = 1000;
  readonly orders: FakeOrder[] = [];
  readonly balances = new Map<string, { free: number; locked: number }>([
    ['USDT', { free: 10_000, locked: 0 }],
    ['BTC', { free: 0, locked: 0 }],
    ['ETH', { free: 0, locked: 0 }],
  ]);
  signedRequests = 0;
  rejectedSignatures = 0;
  /** Requests seen per "METHOD path", faults included. */
  readonly requests = new Map<string, number>();
  readonly faults: Fault[] = [];
  port = 0;

  constructor(
    readonly apiKey: string,
    private readonly secret: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => this.handle(request, body, response));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private send(response: ServerResponse, status: number, payload: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(payload));
  }

  private error(response: ServerResponse, code: number, msg: string): void {
    this.send(response, 400, { code, msg });
  }

  /** Binance signs the urlencoded parameters, in the order sent, without the signature itself. */
  private verify(request: IncomingMessage, payload: string): boolean {
    const key = request.headers['x-mbx-apikey'];
    const match = /^(.*)&signature=([0-9a-f]{64})$/.exec(payload);
    if (key !== this.apiKey || !match) return false;
    const expected = createHmac('sha256', this.secret).update(match[1]).digest();
    const given = Buffer.from(match[2], 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private handle(request: IncomingMessage, body: string, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const path = url.pathname;
    const query = url.search.slice(1);
    const key = `${request.method} ${path}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const faultIndex = this.faults.findIndex(
      (fault) => fault.method === request.method && fault.path === path,
    );
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.kind === 'rateLimit')
      return this.send(response, 429, {
        code: -1003,
        msg: 'Too many requests; current limit is 1200 request weight per 1 MINUTE.',
      });
    if (fault?.kind === 'serverError')
      return this.send(response, 503, {
        code: -1001,
        msg: 'Internal error; unable to process your request. Please try again.',
      });
    if (fault?.kind === 'lostResponse') {
      // The exchange applies the request, then the answer never arrives.
      const swallow = {
        writeHead: () => undefined,
        end: () => request.socket.destroy(),
      } as unknown as ServerResponse;
      return this.handleApplied(request, body, path, query, swallow);
    }
    return this.handleApplied(request, body, path, query, response);
  }

  private handleApplied(
    request: IncomingMessage,
    body: string,
    path: string,
    query: string,
    response: ServerResponse,
  ): void {
    if (path === '/api/v3/time') return this.send(response, 200, { serverTime: Date.now() });
    if (path === '/api/v3/exchangeInfo') return this.send(response, 200, this.exchangeInfo());

    const payload = request.method === 'POST' ? body : query;
    if (!this.verify(request, payload)) {
      this.rejectedSignatures++;
      return this.error(response, -1022, 'Signature for this request is not valid.');
    }
    this.signedRequests++;
    const params = new URLSearchParams(payload);
    if (path === '/api/v3/account' && request.method === 'GET')
      return this.send(response, 200, this.account());
    if (path === '/api/v3/order' && request.method === 'POST') return this.placeOrder(params, response);
    if (path === '/api/v3/order' && request.method === 'GET') {
      const order = this.find(params);
      return order ? this.send(response, 200, order) : this.error(response, -2013, 'Order does not exist.');
    }
    if (path === '/api/v3/order' && request.method === 'DELETE') return this.cancel(params, response);
    if (path === '/api/v3/openOrders')
      return this.send(
        response,
        200,
        this.orders.filter(
          (o) => o.status === 'NEW' && (!params.get('symbol') || o.symbol === params.get('symbol')),
        ),
      );
    if (path === '/api/v3/myTrades') return this.send(response, 200, this.trades(params.get('symbol')));
    return this.error(response, -1000, `fake exchange does not answer ${request.method} ${path}`);
  }

  private exchangeInfo(): unknown {
    return {
      timezone: 'UTC',
      serverTime: Date.now(),
      rateLimits: [],
      symbols: Object.entries(MARKETS).map(([symbol, market]) => ({
        symbol,
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

  private placeOrder(params: URLSearchParams, response: ServerResponse): void {
    const symbol = params.get('symbol') ?? '';
    const market = MARKETS[symbol];
    if (!market) return this.error(response, -1121, 'Invalid symbol.');
    const clientOrderId = params.get('newClientOrderId') ?? `fake-${this.nextOrderId}`;
    const existing = this.orders.find((order) => order.clientOrderId === clientOrderId);
    if (existing) return this.error(response, -2010, 'Duplicate order sent.');
    const side = params.get('side') as 'BUY' | 'SELL';
    const type = params.get('type') ?? 'MARKET';
    const qty = Number(params.get('quantity'));
    const price = type === 'LIMIT' ? Number(params.get('price')) : market.price;
    const quote = this.balances.get(market.quote)!;
    const base = this.balances.get(market.base)!;
    if (side === 'BUY' ? quote.free < qty * price : base.free < qty) {
      return this.error(response, -2010, 'Account has insufficient balance for requested action.');
    }
    const now = Date.now();
    const filled = type === 'MARKET';
    const order: FakeOrder = {
      symbol,
      orderId: this.nextOrderId++,
      clientOrderId,
      price: type === 'LIMIT' ? price.toFixed(2) : '0.00',
      origQty: qty.toFixed(8),
      executedQty: filled ? qty.toFixed(8) : '0.00000000',
      cummulativeQuoteQty: filled ? (qty * price).toFixed(8) : '0.00000000',
      status: filled ? 'FILLED' : 'NEW',
      timeInForce: type === 'LIMIT' ? (params.get('timeInForce') ?? 'GTC') : 'GTC',
      type,
      side,
      time: now,
      updateTime: now,
    };
    if (filled) {
      if (side === 'BUY') {
        quote.free -= qty * price;
        base.free += qty;
      } else {
        base.free -= qty;
        quote.free += qty * price;
      }
    } else if (side === 'BUY') {
      quote.free -= qty * price;
      quote.locked += qty * price;
    } else {
      base.free -= qty;
      base.locked += qty;
    }
    this.orders.push(order);
    this.send(response, 200, {
      ...order,
      transactTime: now,
      fills: filled
        ? [
            {
              price: price.toFixed(2),
              qty: qty.toFixed(8),
              commission: '0.00000000',
              commissionAsset: market.quote,
              tradeId: order.orderId,
            },
          ]
        : [],
    });
  }

  private find(params: URLSearchParams): FakeOrder | undefined {
    const id = params.get('orderId');
    const clientId = params.get('origClientOrderId');
    return this.orders.find(
      (order) =>
        (id ? String(order.orderId) === id : order.clientOrderId === clientId) &&
        order.symbol === params.get('symbol'),
    );
  }

  private cancel(params: URLSearchParams, response: ServerResponse): void {
    const order = this.find(params);
    if (!order || order.status !== 'NEW') return this.error(response, -2011, 'Unknown order sent.');
    order.status = 'CANCELED';
    order.updateTime = Date.now();
    const market = MARKETS[order.symbol];
    if (order.side === 'BUY') {
      const held = Number(order.origQty) * Number(order.price);
      const quote = this.balances.get(market.quote)!;
      quote.locked -= held;
      quote.free += held;
    } else {
      const base = this.balances.get(market.base)!;
      base.locked -= Number(order.origQty);
      base.free += Number(order.origQty);
    }
    this.send(response, 200, order);
  }

  private trades(symbol: string | null): unknown[] {
    return this.orders
      .filter((order) => order.status === 'FILLED' && (!symbol || order.symbol === symbol))
      .map((order) => ({
        symbol: order.symbol,
        id: order.orderId,
        orderId: order.orderId,
        price: (Number(order.cummulativeQuoteQty) / Number(order.executedQty)).toFixed(2),
        qty: order.executedQty,
        quoteQty: order.cummulativeQuoteQty,
        commission: '0',
        commissionAsset: MARKETS[order.symbol].quote,
        time: order.updateTime,
        isBuyer: order.side === 'BUY',
        isMaker: false,
        isBestMatch: true,
      }));
  }
}
