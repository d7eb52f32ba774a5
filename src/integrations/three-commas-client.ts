import { createHmac } from 'node:crypto';
import { ApiError } from '../platform/http/api-error';
import { ErrorCode } from '../platform/http/error-codes';
import { BudgetExhausted, BudgetLimit, RequestBudget } from './request-budget';

export const THREE_COMMAS_URL = 'https://api.3commas.io';
const PREFIX = '/public/api';

/** Request limits the client keeps to: 3Commas allows 100 a minute overall, less on some routes. */
export interface ThreeCommasLimits {
  windowMs: number;
  overall: number;
  /** Per route class (see routeClass): stricter budgets for the heavier routes. */
  routes: Record<RouteClass, number>;
}

export const THREE_COMMAS_LIMITS: ThreeCommasLimits = {
  windowMs: 60_000,
  overall: 100,
  routes: { accounts: 30, bots: 40, deals: 40, botActions: 20 },
};

/** Set by code only (createApp's options): tests point the client at a loopback fake of 3Commas. */
export interface ThreeCommasOptions {
  baseUrl?: string;
  limits?: ThreeCommasLimits;
  timeoutMs?: number;
}

export type RouteClass = 'accounts' | 'bots' | 'deals' | 'botActions';

export type BotAction = 'enable' | 'disable' | 'start_new_deal' | 'panic_sell_all_deals';

export interface ThreeCommasAccount {
  id: number;
  name: string;
  exchange_name?: string;
  market_code?: string;
  usd_amount?: string | number | null;
}

export interface ThreeCommasBot {
  id: number;
  account_id: number;
  name: string;
  is_enabled: boolean;
  pairs: string[];
  strategy?: string;
  max_safety_orders?: number;
  active_deals_count?: number;
  created_at?: string;
  updated_at?: string;
}

export interface ThreeCommasDeal {
  id: number;
  bot_id: number;
  account_id?: number;
  pair: string;
  status: string;
  'finished?'?: boolean;
  strategy?: string;
  max_safety_orders?: number;
  completed_safety_orders_count?: number;
  completed_manual_safety_orders_count?: number;
  created_at: string;
  closed_at?: string | null;
  bought_amount?: string | null;
  bought_volume?: string | null;
  bought_average_price?: string | null;
  sold_amount?: string | null;
  sold_volume?: string | null;
  sold_average_price?: string | null;
  final_profit?: string | null;
  take_profit?: string | null;
  bot_name?: string;
}

export interface DealQuery {
  scope?: 'active' | 'finished' | 'completed' | 'cancelled' | 'failed';
  botId?: number;
  limit: number;
  offset: number;
  /** Deals created from this time on (ISO). */
  from?: string;
}

/** 3Commas' own error answer ({error, error_description, error_attributes}) or a transport failure. */
export class ThreeCommasError extends Error {
  constructor(
    /** 3Commas' HTTP status, or 0 when it did not answer. */
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly attributes?: unknown,
    /** How long 3Commas blocks us (429, 418, or our own pacing). */
    readonly retryAfterMs?: number,
  ) {
    super(`${code}: ${description}`);
  }
}

/** 3Commas' pair notation is QUOTE_BASE. */
export function toThreeCommasPair(symbol: string): string {
  const [base, quote] = symbol.split('/');
  return `${quote}_${base}`;
}

export function fromThreeCommasPair(pair: string): string {
  const [quote, base] = pair.split('_');
  return `${base}/${quote}`;
}

export function routeClass(method: string, path: string): RouteClass {
  if (method === 'POST') return 'botActions';
  if (path.startsWith('/ver1/deals')) return 'deals';
  if (path.startsWith('/ver1/bots')) return 'bots';
  return 'accounts';
}

/**
 * A client of 3Commas' public API for one API key. Every request is signed as documented (hex
 * HMAC-SHA256 with the secret over the path from `/public/api` plus `?query`), paced under the
 * overall and per-route limits, and after a 429 (or a 418 ban) it does not call at all until the
 * block has passed: calling during a block is what gets a key banned.
 */
export class ThreeCommasClient {
  private readonly budget: RequestBudget;
  private blockedUntil = 0;
  private blockCode = '';

  constructor(
    private readonly apiKey: string,
    private readonly secret: string,
    private readonly options: ThreeCommasOptions = {},
  ) {
    this.budget = new RequestBudget(this.limits.windowMs, Math.min(250, this.limits.windowMs / 20));
  }

  private get limits(): ThreeCommasLimits {
    return this.options.limits ?? THREE_COMMAS_LIMITS;
  }

  accounts(maxWaitMs: number): Promise<ThreeCommasAccount[]> {
    return this.call('GET', '/ver1/accounts', {}, maxWaitMs);
  }

  bots(query: { limit: number; offset: number; scope?: 'enabled' | 'disabled' }, maxWaitMs: number) {
    return this.call<ThreeCommasBot[]>('GET', '/ver1/bots', { ...query }, maxWaitMs);
  }

  deals(query: DealQuery, maxWaitMs: number): Promise<ThreeCommasDeal[]> {
    return this.call(
      'GET',
      '/ver1/deals',
      {
        scope: query.scope,
        bot_id: query.botId,
        limit: query.limit,
        offset: query.offset,
        from: query.from,
        order: 'created_at',
        order_direction: 'asc',
      },
      maxWaitMs,
    );
  }

  botAction(botId: number, action: BotAction, pair: string | undefined, maxWaitMs: number) {
    return this.call<ThreeCommasBot>('POST', `/ver1/bots/${botId}/${action}`, { pair }, maxWaitMs);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string | number | undefined>,
    maxWaitMs: number,
  ): Promise<T> {
    const blockedFor = this.blockedUntil - performance.now();
    if (blockedFor > 0)
      throw new ThreeCommasError(
        429,
        this.blockCode,
        `3Commas blocks this key for ${Math.ceil(blockedFor / 1000)} s more; not calling until then`,
        undefined,
        blockedFor,
      );
    const limits: BudgetLimit[] = [
      { key: 'overall', perWindow: this.limits.overall },
      { key: routeClass(method, path), perWindow: this.limits.routes[routeClass(method, path)] },
    ];
    let answered: () => void;
    try {
      answered = await this.budget.take(limits, maxWaitMs);
    } catch (error) {
      if (error instanceof BudgetExhausted)
        throw new ThreeCommasError(
          429,
          'paced',
          `our 3Commas request budget is spent for ${Math.ceil(error.waitMs / 1000)} s`,
          undefined,
          error.waitMs,
        );
      throw error;
    }
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
    const signed = `${PREFIX}${path}${query.size > 0 ? `?${query.toString()}` : ''}`;
    const signature = createHmac('sha256', this.secret).update(signed).digest('hex');
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.options.baseUrl ?? THREE_COMMAS_URL}${signed}`, {
        method,
        headers: { APIKEY: this.apiKey, Signature: signature, accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      text = await response.text().catch(() => '');
    } catch (error) {
      throw new ThreeCommasError(0, 'unreachable', `3Commas did not answer: ${(error as Error).message}`);
    } finally {
      // From its answer on, the request counts by when 3Commas received it at the latest.
      answered();
    }
    const body = parseJson(text);
    if (response.ok) return body as T;
    const retryAfterMs = Number(response.headers.get('retry-after') ?? NaN) * 1000;
    if (response.status === 429 || response.status === 418) {
      const blockMs = Number.isFinite(retryAfterMs)
        ? retryAfterMs
        : response.status === 418
          ? 3_600_000
          : 300_000;
      this.blockedUntil = performance.now() + blockMs;
      this.blockCode = response.status === 418 ? 'banned' : 'rate_limited';
    }
    const error = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    throw new ThreeCommasError(
      response.status,
      typeof error.error === 'string' ? error.error : `http_${response.status}`,
      typeof error.error_description === 'string' ? error.error_description : text.slice(0, 200),
      error.error_attributes,
      Number.isFinite(retryAfterMs) ? retryAfterMs : undefined,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** 3Commas' failure in our error shape: its refusals of our request as 4xx, its trouble as 502/503. */
export function threeCommasApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (!(error instanceof ThreeCommasError))
    return new ApiError(500, ErrorCode.INTERNAL_ERROR, 'Internal server error');
  const message = `3Commas: ${error.message}`;
  if (error.status === 404) return new ApiError(404, ErrorCode.NOT_FOUND, message);
  if (error.status === 400 || error.status === 422)
    return new ApiError(400, ErrorCode.VALIDATION_ERROR, message, error.attributes);
  if (error.status === 401 || error.status === 403)
    return new ApiError(
      502,
      ErrorCode.INTEGRATION_ERROR,
      `3Commas refused the connection's credentials: ${error.message}`,
    );
  if (error.status === 429 || error.status === 418) {
    const seconds = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 60_000) / 1000)));
    return new ApiError(503, ErrorCode.INTEGRATION_ERROR, message, undefined, {}, { 'Retry-After': seconds });
  }
  if (error.status === 0 || error.status >= 500)
    return new ApiError(503, ErrorCode.INTEGRATION_ERROR, message);
  return new ApiError(502, ErrorCode.INTEGRATION_ERROR, message);
}
