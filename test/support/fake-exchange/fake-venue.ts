import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * 'timeout': the request is applied and its answer never comes (the client times out).
 * 'lostResponse': the request is applied and the connection drops before the answer.
 */
export type FaultKind = 'rateLimit' | 'serverError' | 'lostResponse' | 'timeout';

/** A fault the fake applies once, to the next request matching method and path. */
export interface Fault {
  method: string;
  path: string;
  kind: FaultKind;
  /** Matching requests answered normally before the fault applies (default 0: the next one). */
  skip?: number;
}

export interface VenueMarket {
  /** The exchange's id of the market: BTCUSDT. */
  id: string;
  base: string;
  quote: string;
  /** Market orders fill here; the book and the candles are built around it. */
  price: number;
  tick: string;
  step: string;
}

export interface VenueOrder {
  id: number;
  clientOrderId: string;
  marketId: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  /** Limit price; 0 for market orders. */
  price: number;
  amount: number;
  filled: number;
  cost: number;
  status: 'open' | 'filled' | 'canceled';
  /** The fee of its fill, in feeCurrency. */
  fee: number;
  feeCurrency: string;
  createdAt: number;
  updatedAt: number;
}

export type PlaceResult = VenueOrder | 'badSymbol' | 'duplicate' | 'insufficient';

export interface PlaceRequest {
  marketId: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  amount: number;
  price: number;
  clientOrderId: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string as sent (signatures cover it in that order). */
  rawQuery: string;
  body: string;
  headers: IncomingMessage['headers'];
}

export interface FakeReply {
  status: number;
  body: unknown;
}

/**
 * How the venue charges its fee: not at all; in what the order receives (the coin bought on a buy,
 * the quote on a sell, as Binance and Bybit spot do); or in a third currency (Binance's BNB discount).
 */
export type FeePolicy = { kind: 'none' } | { kind: 'received'; rate: number } | { kind: 'BNB'; rate: number };

/** The BNB market a venue lists when it charges fees in BNB. */
export const BNB_MARKET: VenueMarket = {
  id: 'BNBUSDT',
  base: 'BNB',
  quote: 'USDT',
  price: 600,
  tick: '0.01',
  step: '0.001',
};

export const DEFAULT_MARKETS: VenueMarket[] = [
  { id: 'BTCUSDT', base: 'BTC', quote: 'USDT', price: 60_000, tick: '0.01', step: '0.00001' },
  { id: 'ETHUSDT', base: 'ETH', quote: 'USDT', price: 3_000, tick: '0.01', step: '0.0001' },
];

/**
 * The exchange behind a fake REST dialect: markets, balances, an order book around a fixed price,
 * orders (market orders fill at the market's price, limit orders rest), their fills, and candles.
 * It serves HTTP on loopback, applies injected faults, and counts what it saw, for assertions.
 * A dialect subclass translates requests and answers to one exchange's API and checks signatures.
 */
export abstract class FakeVenue {
  private server: Server | undefined;
  private readonly heldSockets = new Set<Socket>();
  private nextOrderId = 1000;
  readonly markets = new Map<string, VenueMarket>(DEFAULT_MARKETS.map((market) => [market.id, market]));
  readonly orders: VenueOrder[] = [];
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
  private feePolicy: FeePolicy = { kind: 'none' };
  /** The market's time, which its candles follow: a test on a ManualClock sets it to the app's. */
  marketNow: () => number = () => Date.now();

  constructor(
    readonly apiKey: string,
    protected readonly secret: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Charges fees from now on as the policy says; a BNB policy needs BNB_MARKET listed, and funds 1 BNB. */
  chargeFees(policy: FeePolicy): void {
    if (policy.kind === 'BNB' && !this.markets.has(BNB_MARKET.id)) throw new Error('list BNB_MARKET first');
    this.feePolicy = policy;
    if (policy.kind === 'BNB' && !this.balances.has('BNB')) this.balances.set('BNB', { free: 1, locked: 0 });
  }

  /** How many requests "METHOD path" the fake has seen. */
  seen(method: string, path: string): number {
    return this.requests.get(`${method} ${path}`) ?? 0;
  }

  ordersWithClientId(clientOrderId: string): VenueOrder[] {
    return this.orders.filter((order) => order.clientOrderId === clientOrderId);
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => this.handle(request, body, response));
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
      this.upgrade(request, socket, head),
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** A WebSocket connection asked for: a dialect with streams takes it; without, it is refused. */
  protected upgrade(_request: IncomingMessage, socket: Socket, _head: Buffer): void {
    socket.destroy();
  }

  /** Called when an order changes (placed, filled, cancelled): a dialect with streams reports it. */
  protected orderChanged(_order: VenueOrder, _execution: 'NEW' | 'TRADE' | 'CANCELED'): void {}

  async stop(): Promise<void> {
    for (const socket of this.heldSockets) socket.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected abstract route(request: FakeRequest): FakeReply;
  protected abstract rateLimitReply(): FakeReply;
  protected abstract serverErrorReply(): FakeReply;

  private handle(incoming: IncomingMessage, body: string, response: ServerResponse): void {
    const url = new URL(incoming.url ?? '/', this.baseUrl);
    const request: FakeRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      rawQuery: url.search.slice(1),
      body,
      headers: incoming.headers,
    };
    const key = `${request.method} ${request.path}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const faultIndex = this.faults.findIndex(
      (fault) => fault.method === request.method && fault.path === request.path,
    );
    const pending = faultIndex >= 0 ? this.faults[faultIndex] : undefined;
    if (pending?.skip) pending.skip--;
    const fault = pending && !pending.skip ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.kind === 'rateLimit') return this.reply(response, this.rateLimitReply());
    if (fault?.kind === 'serverError') return this.reply(response, this.serverErrorReply());
    const reply = this.route(request);
    if (fault?.kind === 'lostResponse') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'timeout') {
      // Applied; the answer is held until the client gives up (or the fake stops).
      this.heldSockets.add(incoming.socket);
      incoming.socket.once('close', () => this.heldSockets.delete(incoming.socket));
      return;
    }
    this.reply(response, reply);
  }

  private reply(response: ServerResponse, reply: FakeReply): void {
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(reply.body));
  }

  protected market(id: string | null): VenueMarket | undefined {
    return id ? this.markets.get(id) : undefined;
  }

  protected place(request: PlaceRequest): PlaceResult {
    const market = this.markets.get(request.marketId);
    if (!market) return 'badSymbol';
    if (this.orders.some((order) => order.clientOrderId === request.clientOrderId)) return 'duplicate';
    const price = request.type === 'limit' ? request.price : market.price;
    const quote = this.balances.get(market.quote)!;
    const base = this.balances.get(market.base)!;
    const amount = request.amount;
    if (request.side === 'buy' ? quote.free < amount * price : base.free < amount) return 'insufficient';
    const now = Date.now();
    const filled = request.type === 'market';
    const fee = filled ? this.feeOf(market, request.side, amount, price) : { fee: 0, currency: market.quote };
    const charged = (currency: string) => (fee.currency === currency ? fee.fee : 0);
    if (fee.currency === 'BNB') this.balances.get('BNB')!.free -= fee.fee;
    if (filled && request.side === 'buy') {
      quote.free -= amount * price + charged(market.quote);
      base.free += amount - charged(market.base);
    } else if (filled) {
      base.free -= amount;
      quote.free += amount * price - charged(market.quote);
    } else if (request.side === 'buy') {
      quote.free -= amount * price;
      quote.locked += amount * price;
    } else {
      base.free -= amount;
      base.locked += amount;
    }
    const order: VenueOrder = {
      id: this.nextOrderId++,
      clientOrderId: request.clientOrderId || `fake-${this.nextOrderId}`,
      marketId: market.id,
      side: request.side,
      type: request.type,
      price: request.type === 'limit' ? price : 0,
      amount,
      filled: filled ? amount : 0,
      cost: filled ? amount * price : 0,
      status: filled ? 'filled' : 'open',
      fee: fee.fee,
      feeCurrency: fee.currency,
      createdAt: now,
      updatedAt: now,
    };
    this.orders.push(order);
    this.orderChanged(order, filled ? 'TRADE' : 'NEW');
    return order;
  }

  private feeOf(
    market: VenueMarket,
    side: 'buy' | 'sell',
    amount: number,
    price: number,
  ): { fee: number; currency: string } {
    const policy = this.feePolicy;
    if (policy.kind === 'none') return { fee: 0, currency: market.quote };
    if (policy.kind === 'BNB')
      return { fee: (amount * price * policy.rate) / BNB_MARKET.price, currency: 'BNB' };
    return side === 'buy'
      ? { fee: amount * policy.rate, currency: market.base }
      : { fee: amount * price * policy.rate, currency: market.quote };
  }

  /** An order placed by another client with the same key (a restored database, another install). */
  placeOutside(request: PlaceRequest): VenueOrder {
    const placed = this.place(request);
    if (typeof placed === 'string') throw new Error(`the fake venue refused the order: ${placed}`);
    return placed;
  }

  /**
   * Past trades of the account (filled market orders made elsewhere), `count` of them one minute
   * apart before `endTime`, buys and sells alternating around the market's price; balances unchanged.
   */
  seedHistory(marketId: string, count: number, endTime: number): VenueOrder[] {
    const market = this.markets.get(marketId);
    if (!market) throw new Error(`no market ${marketId}`);
    const seeded: VenueOrder[] = [];
    for (let i = 0; i < count; i++) {
      const time = endTime - (count - i) * 60_000;
      const price = market.price * (1 + 0.001 * Math.sin(i));
      const amount = Number(market.step) * (10 + (i % 7));
      const order: VenueOrder = {
        id: this.nextOrderId++,
        clientOrderId: `history-${marketId}-${i}`,
        marketId,
        side: i % 2 === 0 ? 'buy' : 'sell',
        type: 'market',
        price: 0,
        amount,
        filled: amount,
        cost: amount * price,
        status: 'filled',
        fee: 0,
        feeCurrency: market.quote,
        createdAt: time,
        updatedAt: time,
      };
      this.orders.push(order);
      seeded.push(order);
    }
    return seeded;
  }

  /** The market reaches a resting limit order: it fills whole at its price (no fee). */
  fillResting(clientOrderId: string): void {
    const order = this.orders.find((candidate) => candidate.clientOrderId === clientOrderId);
    if (!order || order.status !== 'open') throw new Error(`no open order ${clientOrderId}`);
    const market = this.markets.get(order.marketId)!;
    const quote = this.balances.get(market.quote)!;
    const base = this.balances.get(market.base)!;
    if (order.side === 'buy') {
      quote.locked -= order.amount * order.price;
      base.free += order.amount;
    } else {
      base.locked -= order.amount;
      quote.free += order.amount * order.price;
    }
    Object.assign(order, {
      status: 'filled',
      filled: order.amount,
      cost: order.amount * order.price,
      updatedAt: Date.now(),
    });
    this.orderChanged(order, 'TRADE');
  }

  protected findOrder(marketId: string | null, id: string | null, clientOrderId: string | null) {
    return this.orders.find(
      (order) =>
        (id ? String(order.id) === id : order.clientOrderId === clientOrderId) &&
        (!marketId || order.marketId === marketId),
    );
  }

  /** Cancels an open order and releases what it held; false when it is not open. */
  protected cancel(order: VenueOrder): boolean {
    if (order.status !== 'open') return false;
    order.status = 'canceled';
    order.updatedAt = Date.now();
    this.orderChanged(order, 'CANCELED');
    const market = this.markets.get(order.marketId)!;
    if (order.side === 'buy') {
      const held = order.amount * order.price;
      const quote = this.balances.get(market.quote)!;
      quote.locked -= held;
      quote.free += held;
    } else {
      const base = this.balances.get(market.base)!;
      base.locked -= order.amount;
      base.free += order.amount;
    }
    return true;
  }

  protected openOrders(marketId: string | null): VenueOrder[] {
    return this.orders.filter(
      (order) => order.status === 'open' && (!marketId || order.marketId === marketId),
    );
  }

  protected filledOrders(marketId: string | null): VenueOrder[] {
    return this.orders.filter(
      (order) => order.status === 'filled' && (!marketId || order.marketId === marketId),
    );
  }

  /** Ten levels a side, one tick apart, around the market's price. */
  protected depth(market: VenueMarket, limit: number): { bids: number[][]; asks: number[][] } {
    const tick = Number(market.tick) * 100;
    const levels = Math.min(limit, 10);
    const side = (sign: number) =>
      Array.from({ length: levels }, (_, i) => [market.price + sign * tick * (i + 1), 0.5 + i * 0.25]);
    return { bids: side(-1), asks: side(1) };
  }

  /** Candles every `spanMs` from `since`, closed ones and the current one, as exchanges list them. */
  protected klines(market: VenueMarket, spanMs: number, since: number, limit: number): number[][] {
    const now = this.marketNow();
    const first = Math.ceil(since / spanMs) * spanMs;
    const rows: number[][] = [];
    for (let time = first; time <= now && rows.length < limit; time += spanMs) {
      const wave = (t: number) => market.price * (1 + 0.01 * Math.sin(t / (spanMs * 7)));
      const open = wave(time);
      const close = wave(time + spanMs);
      rows.push([
        time,
        open,
        Math.max(open, close) * 1.001,
        Math.min(open, close) * 0.999,
        close,
        10 + ((time / spanMs) % 5),
      ]);
    }
    return rows;
  }
}
