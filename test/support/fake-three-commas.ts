import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

export interface FakeThreeCommasAccount {
  id: number;
  name: string;
  exchange_name: string;
  market_code: string;
  usd_amount: string;
  btc_amount: string;
}

export interface FakeThreeCommasBot {
  id: number;
  account_id: number;
  name: string;
  is_enabled: boolean;
  pairs: string[];
  strategy: 'long' | 'short';
  max_safety_orders: number;
  active_deals_count: number;
  created_at: string;
  updated_at: string;
}

export type FakeThreeCommasDeal = Record<string, unknown> & { id: number; bot_id: number; status: string };

export interface FakeThreeCommasLimits {
  /** Requests allowed in any window of `windowMs` (3Commas: 100 a minute). */
  perWindow: number;
  windowMs: number;
  /** How long a 429 blocks the caller, in seconds (sent as Retry-After). */
  blockSeconds: number;
}

const PREFIX = '/public/api';

/**
 * 3Commas' public API as documented, for the calls Tradeplane makes: every request must carry
 * `APIKEY` and `Signature` = hex HMAC-SHA256 with the secret over the path (from `/public/api`) plus
 * `?query`; errors come as {error, error_description}. It enforces a per-window request limit with
 * 429 and a block; a caller that keeps calling while blocked is banned (418).
 */
export class FakeThreeCommas {
  private server: Server | undefined;
  port = 0;
  readonly accounts: FakeThreeCommasAccount[] = [
    {
      id: 31001,
      name: 'Binance main',
      exchange_name: 'Binance',
      market_code: 'binance',
      usd_amount: '12500.5',
      btc_amount: '0.2083',
    },
  ];
  readonly bots: FakeThreeCommasBot[] = [];
  readonly deals: FakeThreeCommasDeal[] = [];
  /** Accepted requests' arrival times (ms), for the per-window limit. */
  private readonly arrivals: number[] = [];
  blockedUntil = 0;
  banned = false;
  /** Every request seen, by "METHOD path" (without the prefix), and how many got 429. */
  readonly requests = new Map<string, number>();
  rateLimited = 0;
  rejectedSignatures = 0;
  /** The largest number of accepted requests the fake saw in any one window. */
  peakInWindow = 0;
  /** Bot actions received, in order: "enable 7", "start_new_deal 7 USDT_BTC". */
  readonly actions: string[] = [];
  /** Answers any key and signature (for callers with made-up credentials, such as the contract fuzz). */
  acceptAnyCredentials = false;

  constructor(
    readonly apiKey: string,
    private readonly secret: string,
    readonly limits: FakeThreeCommasLimits = { perWindow: 100, windowMs: 60_000, blockSeconds: 300 },
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  seen(method: string, path: string): number {
    return this.requests.get(`${method} ${path}`) ?? 0;
  }

  addBot(bot: Partial<FakeThreeCommasBot> & { id: number }): FakeThreeCommasBot {
    const full: FakeThreeCommasBot = {
      account_id: this.accounts[0].id,
      name: `bot ${bot.id}`,
      is_enabled: true,
      pairs: ['USDT_BTC'],
      strategy: 'long',
      max_safety_orders: 5,
      active_deals_count: 0,
      created_at: '2026-11-01T00:00:00.000Z',
      updated_at: '2026-11-01T00:00:00.000Z',
      ...bot,
    };
    this.bots.push(full);
    return full;
  }

  /** A finished long deal bought at `buy` and sold at `sell` (amounts in base), closed at `closedAt`. */
  addFinishedDeal(input: {
    id: number;
    botId: number;
    pair: string;
    amount: number;
    buy: number;
    sell: number;
    safetyOrders: number;
    createdAt: string;
    closedAt: string;
    status?: string;
  }): FakeThreeCommasDeal {
    const [quote, base] = input.pair.split('_');
    const boughtVolume = input.amount * input.buy;
    const soldVolume = input.amount * input.sell;
    const deal: FakeThreeCommasDeal = {
      id: input.id,
      type: 'Deal',
      bot_id: input.botId,
      account_id: this.accounts[0].id,
      pair: input.pair,
      from_currency: quote,
      to_currency: base,
      status: input.status ?? 'completed',
      'finished?': true,
      strategy: 'long',
      max_safety_orders: 5,
      completed_safety_orders_count: input.safetyOrders,
      completed_manual_safety_orders_count: 0,
      created_at: input.createdAt,
      updated_at: input.closedAt,
      closed_at: input.closedAt,
      bought_amount: input.amount.toFixed(8),
      bought_volume: boughtVolume.toFixed(8),
      bought_average_price: input.buy.toFixed(8),
      sold_amount: input.amount.toFixed(8),
      sold_volume: soldVolume.toFixed(8),
      sold_average_price: input.sell.toFixed(8),
      final_profit: (soldVolume - boughtVolume).toFixed(8),
      usd_final_profit: (soldVolume - boughtVolume).toFixed(2),
      take_profit: '1.5',
      bot_name: `bot ${input.botId}`,
    };
    this.deals.push(deal);
    return deal;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      request.resume();
      request.on('end', () => this.handle(request, response));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(incoming: IncomingMessage, response: ServerResponse): void {
    const url = new URL(incoming.url ?? '/', this.baseUrl);
    const method = incoming.method ?? 'GET';
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const key = `${method} ${path}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    const now = Date.now();
    if (this.banned) return reply(418, { error: 'banned', error_description: 'IP banned' });
    if (now < this.blockedUntil) {
      // Calling on while blocked is what gets a caller banned.
      this.banned = true;
      return reply(418, { error: 'banned', error_description: 'IP banned after calls during a block' });
    }
    while (this.arrivals.length > 0 && this.arrivals[0] <= now - this.limits.windowMs) this.arrivals.shift();
    if (this.arrivals.length >= this.limits.perWindow) {
      this.rateLimited++;
      this.blockedUntil = now + this.limits.blockSeconds * 1000;
      return reply(
        429,
        { error: 'rate_limit', error_description: 'Too many requests' },
        { 'retry-after': String(this.limits.blockSeconds) },
      );
    }
    this.arrivals.push(now);
    this.peakInWindow = Math.max(this.peakInWindow, this.arrivals.length);

    if (!url.pathname.startsWith(PREFIX))
      return reply(404, { error: 'not_found', error_description: 'Not found' });
    if (this.acceptAnyCredentials) {
      const routed = this.route(method, path, url.searchParams);
      return reply(routed.status, routed.body);
    }
    if (incoming.headers.apikey !== this.apiKey)
      return reply(401, {
        error: 'api_key_invalid_or_expired',
        error_description: 'Unauthorized. Invalid or expired api key.',
      });
    if (!this.signatureValid(url, incoming.headers.signature)) {
      this.rejectedSignatures++;
      return reply(401, { error: 'signature_invalid', error_description: 'Provided signature is invalid' });
    }
    const routed = this.route(method, path, url.searchParams);
    reply(routed.status, routed.body);
  }

  private signatureValid(url: URL, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string' || !/^[0-9a-f]{64}$/.test(header)) return false;
    const signed = url.pathname + url.search;
    const expected = createHmac('sha256', this.secret).update(signed).digest();
    return timingSafeEqual(expected, Buffer.from(header, 'hex'));
  }

  private route(method: string, path: string, query: URLSearchParams): { status: number; body: unknown } {
    const notFound = { status: 404, body: { error: 'not_found', error_description: 'Record not found' } };
    if (method === 'GET' && path === '/ver1/accounts') return { status: 200, body: this.accounts };
    if (method === 'GET' && path === '/ver1/bots') {
      const scope = query.get('scope');
      const bots = this.bots.filter((bot) => scope !== 'enabled' || bot.is_enabled);
      return { status: 200, body: this.page(bots, query) };
    }
    if (method === 'GET' && path === '/ver1/deals') {
      const scope = query.get('scope');
      const finished = (deal: FakeThreeCommasDeal) => deal['finished?'] === true;
      const deals = this.deals
        .filter((deal) =>
          scope === 'finished' ? finished(deal) : scope === 'active' ? !finished(deal) : true,
        )
        .sort((a, b) => (query.get('order_direction') === 'asc' ? a.id - b.id : b.id - a.id));
      return { status: 200, body: this.page(deals, query) };
    }
    const action = /^\/ver1\/bots\/(\d+)\/(enable|disable|start_new_deal|panic_sell_all_deals)$/.exec(path);
    if (method === 'POST' && action) {
      const bot = this.bots.find((candidate) => candidate.id === Number(action[1]));
      if (!bot) return notFound;
      this.actions.push([action[2], bot.id, query.get('pair')].filter(Boolean).join(' '));
      if (action[2] === 'enable') bot.is_enabled = true;
      if (action[2] === 'disable') bot.is_enabled = false;
      if (action[2] === 'start_new_deal') bot.active_deals_count++;
      if (action[2] === 'panic_sell_all_deals') bot.active_deals_count = 0;
      return { status: 200, body: bot };
    }
    return notFound;
  }

  private page<T>(items: T[], query: URLSearchParams): T[] {
    const offset = Number(query.get('offset') ?? 0);
    const limit = Math.min(Number(query.get('limit') ?? 50), 1000);
    return items.slice(offset, offset + limit);
  }
}
