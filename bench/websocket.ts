/**
 * WebSocket fan-out and order round trip.
 * - Fan-out: one event to 2,000 subscribed clients, server CPU per delivered message, against a raw
 *   `ws` server broadcasting the same pre-serialised buffer to 2,000 clients (the floor). The clients
 *   live in another process, so only the server's CPU is counted.
 * - Round trip: POST /api/orders (paper market order) -> ORDER_FILLED received on a WebSocket, p50/p99,
 *   on PGlite and on PostgreSQL (BENCH_DATABASE_URL, default the local server; a throw-away database).
 */
import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { createApp } from '../src/bootstrap';
import { EventBus } from '../src/platform/events/event-bus';
import '../src/trading/trading.events';
import { benchConfig, onThrowAwayPostgres } from './support/bench-config';
import { median, percentile } from './support/load';
import { BENCH_ADMIN, post } from './support/principals';

const CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 2000);
const EVENTS = Number(process.env.BENCH_WS_EVENTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_TRIPS = Number(process.env.BENCH_ORDERS ?? 200);
const WARM_UP_ORDERS = 20;

const SAMPLE_ORDER = {
  id: '6f1c1d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f',
  clientOrderId: 'tp-6f1c1d1e2b3a4c5d8e9f0a1b2c3d4e5f',
  exchangeOrderId: '9b8a7c6d-1234-4321-8765-0fedcba98765',
  venue: 'paper',
  accountId: 'default',
  exchange: 'paper',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  qty: 0.01,
  price: 60123.45,
  status: 'FILLED',
  filled: 0.01,
  remaining: 0,
  averagePrice: 60123.45,
  cost: 601.2345,
  fees: 0.6012345,
  feeCurrency: 'USDT',
  createdAt: '2026-11-23T12:00:00.000Z',
  updatedAt: '2026-11-23T12:00:00.100Z',
};

class Clients {
  private readonly child: ChildProcess;
  constructor() {
    this.child = fork(path.join(__dirname, 'support', 'ws-clients.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
    });
  }
  private reply<T>(predicate: (message: Record<string, unknown>) => boolean): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = (message: Record<string, unknown>) => {
        if (message.error) reject(new Error(JSON.stringify(message.error)));
        if (predicate(message)) {
          this.child.off('message', listener);
          resolve(message as T);
        }
      };
      this.child.on('message', listener);
    });
  }
  async open(url: string, count: number, subscribe?: string): Promise<void> {
    const ready = this.reply(() => true);
    this.child.send({ open: { url, count, subscribe } });
    await ready;
  }
  /** Arms the counters, runs `send`, and resolves when every client received `n` messages. */
  async deliver(n: number, send: () => void): Promise<void> {
    const armed = this.reply((message) => message.armed === true);
    this.child.send({ expect: n });
    await armed;
    const done = this.reply((message) => message.done === true);
    send();
    await done;
  }
  stop(): void {
    this.child.disconnect();
  }
}

/** Server CPU microseconds per delivered message while `run` delivers `messages`. */
async function cpuPerMessage(messages: number, run: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / messages;
}

async function main(): Promise<void> {
  // The floor: a raw ws server sending one pre-serialised buffer to every client.
  const raw = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => raw.once('listening', resolve));
  const rawPort = (raw.address() as { port: number }).port;
  const frame = Buffer.from(
    JSON.stringify({
      type: 'ORDER_UPDATE',
      topic: 'orders',
      ts: Date.now(),
      timestamp: new Date().toISOString(),
      data: SAMPLE_ORDER,
    }),
  );

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-'));
  const config = benchConfig(dataDir, { WS_MAX_BUFFERED_BYTES: String(64 * 1024 * 1024) });
  const app = await createApp(config, { logger: pino({ level: 'warn' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appPort = (app.getHttpServer().address() as { port: number }).port;
  const base = `http://127.0.0.1:${appPort}`;
  const { accessToken: admin } = await post<{ accessToken: string }>(`${base}/api/auth/login`, BENCH_ADMIN);

  const rawClients = new Clients();
  const appClients = new Clients();
  try {
    await rawClients.open(`ws://127.0.0.1:${rawPort}`, CLIENTS);
    await appClients.open(`ws://127.0.0.1:${appPort}/ws?token=${admin}`, CLIENTS, 'orders');
    const bus = app.get(EventBus);
    const rawResults: number[] = [];
    const appResults: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rawResults.push(
        await cpuPerMessage(CLIENTS * EVENTS, () =>
          rawClients.deliver(EVENTS, () => {
            for (let i = 0; i < EVENTS; i++)
              for (const client of raw.clients) client.send(frame, { binary: false });
          }),
        ),
      );
      appResults.push(
        await cpuPerMessage(CLIENTS * EVENTS, () =>
          appClients.deliver(EVENTS, () => {
            for (let i = 0; i < EVENTS; i++)
              bus.publish('order.updated', { order: SAMPLE_ORDER as never, newFills: [] });
          }),
        ),
      );
    }
    const floor = median(rawResults);
    const ours = median(appResults);
    const ratio = ours / floor;
    console.log(
      `websocket fan-out of one event to ${CLIENTS} clients: app ${ours.toFixed(2)} us vs raw ws ${floor.toFixed(2)} us server CPU per message -> ratio ${ratio.toFixed(2)} (target <= 1.2, ${ratio <= 1.2 ? 'met' : 'NOT met'})`,
    );
  } finally {
    rawClients.stop();
    appClients.stop();
    raw.close();
  }

  await app.close();
  rmSync(dataDir, { recursive: true, force: true });

  await roundTrip('PGlite', { DATABASE_URL: '' }, 15);
  await onThrowAwayPostgres('order round trip on PostgreSQL', (databaseUrl) =>
    roundTrip('PostgreSQL', { DATABASE_URL: databaseUrl }, 5),
  );
}

/**
 * POST /api/orders (a paper market order) -> ORDER_FILLED on a WebSocket, on a fresh app over the given
 * database: a CONTROL user places the orders one after another; a WebSocket client times each fill.
 */
async function roundTrip(label: string, database: Record<string, string>, p99Target: number): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-'));
  const app = await createApp(benchConfig(dataDir, database), { logger: pino({ level: 'warn' }) });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const appPort = (app.getHttpServer().address() as { port: number }).port;
    const base = `http://127.0.0.1:${appPort}`;
    const { accessToken: admin } = await post<{ accessToken: string }>(`${base}/api/auth/login`, BENCH_ADMIN);
    const trader = { username: 'bench-trader', password: 'bench-trader-password' };
    await post(`${base}/api/users`, { ...trader, role: 'CONTROL' }, admin);
    const { accessToken: traderToken } = await post<{ accessToken: string }>(
      `${base}/api/auth/login`,
      trader,
    );
    const socket = new WebSocket(`ws://127.0.0.1:${appPort}/ws?token=${admin}`);
    const filled = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; data: { clientOrderId?: string } };
      if (message.type === 'ORDER_FILLED' && message.data.clientOrderId) {
        filled.set(message.data.clientOrderId, performance.now());
        waiters.get(message.data.clientOrderId)?.();
      }
    });
    await new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer) => data.toString().includes('authenticated') && resolve()),
    );
    socket.send(JSON.stringify({ type: 'subscribe', topics: ['orders'] }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latencies: number[] = [];
    // The first orders warm the code paths and the connections up; they are not counted.
    for (let i = -WARM_UP_ORDERS; i < ROUND_TRIPS; i++) {
      const clientOrderId = `bench-${i}`;
      const received = new Promise<void>((resolve) => waiters.set(`tp-${clientOrderId}`, resolve));
      const started = performance.now();
      await post(
        `${base}/api/orders`,
        { symbol: 'BTC/USDT', side: i % 2 ? 'sell' : 'buy', type: 'market', amount: 0.0005, clientOrderId },
        traderToken,
      );
      await received;
      if (i >= 0) latencies.push(filled.get(`tp-${clientOrderId}`)! - started);
    }
    socket.terminate();
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `order round trip on ${label} POST /api/orders -> ORDER_FILLED on WebSocket (paper, ${ROUND_TRIPS} orders): ` +
        `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target p99 <= ${p99Target} ms, ${p99 <= p99Target ? 'met' : 'NOT met'})`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
