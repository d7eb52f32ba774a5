/**
 * The mixed workload of the load and soak benchmarks, against the real application (a child process):
 * dashboards reading status, positions, orders, trades and analytics with a READ_ONLY API key, and a
 * trader placing paper limit orders (away from the price, so they rest) and cancelling each, with a
 * CONTROL API key. Placed orders are counted from the answers, to be found in the database afterwards.
 */
import autocannon from 'autocannon';
import { ChildServer, startChildServer } from './child-server';
import { BENCH_ADMIN, get, post } from './principals';

export interface GroupResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers outside 2xx, 429s aside (the intended refusals). */
  errors: number;
  rateLimited: number;
}

export interface MixedResult {
  reads: GroupResult;
  orders: GroupResult;
  totalRps: number;
}

export interface Workload {
  server: ChildServer;
  readKey: string;
  tradeKey: string;
  adminToken: string;
  /** Orders the exchange accepted (201), over every run. */
  placed: number;
  placedIds: string[];
  /** Order placements sent: those still under way when a run ends get no answer, and may exist. */
  attempted: number;
}

const READS = [
  '/api/engine/status',
  '/api/positions?limit=20',
  '/api/orders?limit=20',
  '/api/trades/active?limit=20',
  '/api/analytics/performance?period=7d',
  '/api/trading/status',
];

export async function startWorkload(env: Record<string, string> = {}): Promise<Workload> {
  const server = await startChildServer('support/app-server.ts', env);
  try {
    const { accessToken: adminToken } = await post<{ accessToken: string }>(
      `${server.url}/api/auth/login`,
      BENCH_ADMIN,
    );
    const key = async (name: string, role: string) =>
      (
        await post<{ apiKey: string }>(
          `${server.url}/api/keys`,
          { name, permissions: [role], rateLimit: 1_000_000 },
          adminToken,
        )
      ).apiKey;
    return {
      server,
      readKey: await key('dashboards', 'READ_ONLY'),
      tradeKey: await key('trader', 'CONTROL'),
      adminToken,
      placed: 0,
      placedIds: [],
      attempted: 0,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function group(result: autocannon.Result, seconds: number): GroupResult {
  const rateLimited = result.statusCodeStats?.['429']?.count ?? 0;
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx - rateLimited + result.errors + result.timeouts,
    rateLimited,
  };
}

/**
 * Both groups at once for `seconds`: with `connections` split between them (as fast as they go), or
 * at fixed rates (requests per second) when given.
 */
export async function runMixed(
  workload: Workload,
  seconds: number,
  options: { readConnections: number; orderConnections: number; readRate?: number; orderRate?: number },
): Promise<MixedResult> {
  const { url } = workload.server;
  const reads = autocannon({
    url,
    connections: options.readConnections,
    duration: seconds,
    headers: { 'x-api-key': workload.readKey },
    requests: READS.map((path) => ({ method: 'GET' as const, path })),
    ...(options.readRate ? { overallRate: options.readRate } : {}),
  });
  const orders = autocannon({
    url,
    connections: options.orderConnections,
    duration: seconds,
    headers: { 'x-api-key': workload.tradeKey, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: '/api/orders',
        setupRequest: (request: Record<string, unknown>) => {
          workload.attempted++;
          return request;
        },
        body: JSON.stringify({
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          amount: 0.001,
          price: 10_000,
        }),
        onResponse: (status: number, body: string, context: Record<string, unknown>) => {
          if (status === 201) {
            workload.placed++;
            context.orderId = (JSON.parse(body) as { id: string }).id;
            workload.placedIds.push(context.orderId as string);
          } else context.orderId = undefined;
        },
      },
      {
        method: 'DELETE',
        setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) =>
          typeof context.orderId === 'string'
            ? { ...request, path: `/api/orders/${context.orderId}` }
            : undefined,
      },
    ],
    ...(options.orderRate ? { overallRate: options.orderRate } : {}),
  } as unknown as autocannon.Options);
  const [readResult, orderResult] = await Promise.all([reads, orders]);
  const result = { reads: group(readResult, seconds), orders: group(orderResult, seconds) };
  return { ...result, totalRps: result.reads.requestsPerSecond + result.orders.requestsPerSecond };
}

/** Raises the connections until throughput stops growing; the best mix found is the capacity. */
export async function findCapacity(workload: Workload, stepSeconds: number): Promise<MixedResult> {
  let best: MixedResult | undefined;
  for (const connections of [4, 8, 16, 32, 64]) {
    const result = await runMixed(workload, stepSeconds, {
      readConnections: Math.max(1, Math.round(connections * 0.75)),
      orderConnections: Math.max(1, Math.round(connections * 0.25)),
    });
    console.log(
      `  capacity step, ${connections} connections: ${result.totalRps.toFixed(0)} req/s ` +
        `(reads p99 ${result.reads.p99Ms} ms, orders p99 ${result.orders.p99Ms} ms)`,
    );
    if (best && result.totalRps < best.totalRps * 1.05) break;
    if (!best || result.totalRps > best.totalRps) best = result;
  }
  return best!;
}

export function getJson<T>(workload: Workload, path: string): Promise<T> {
  return get<T>(`${workload.server.url}${path}`, workload.adminToken);
}

/**
 * Every placement answered 201 found in the database by its id, orders still unsettled (PENDING_SUBMIT
 * or UNKNOWN), and the orders stored beyond the 201s (placements whose answer the client gave up on).
 */
export async function accountForOrders(
  workload: Workload,
): Promise<{ found: number; missing: number; stored: number; unsettled: number }> {
  let found = 0;
  for (const id of workload.placedIds) {
    const response = await fetch(`${workload.server.url}/api/orders/${id}`, {
      headers: { authorization: `Bearer ${workload.adminToken}` },
    });
    await response.text();
    if (response.ok) found++;
  }
  const all = await getJson<{ total: number }>(workload, '/api/orders?limit=1');
  let unsettled = 0;
  for (const status of ['PENDING_SUBMIT', 'UNKNOWN'])
    unsettled += (await getJson<{ total: number }>(workload, `/api/orders?limit=1&status=${status}`)).total;
  return { found, missing: workload.placedIds.length - found, stored: all.total, unsettled };
}

export function describe(name: string, result: GroupResult): string {
  return `${name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors, ${result.rateLimited} × 429`;
}
