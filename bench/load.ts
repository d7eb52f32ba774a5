/**
 * Load: the mixed workload (dashboards reading with an API key, a trader placing and cancelling paper
 * orders, 500 WebSocket subscribers of `orders`) against the real application on PGlite. First the
 * capacity (connections raised until throughput stops growing), then 80 % of it held for 60 s
 * (BENCH_LOAD_SECONDS): throughput, p50/p99 per group, errors (429s apart), and every placed order
 * found in the database afterwards. Targets (issue 19): 0 errors; every order accounted for.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import {
  accountForOrders,
  describe,
  findCapacity,
  getJson,
  runMixed,
  startWorkload,
} from './support/mixed-workload';

const HOLD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const SUBSCRIBERS = Number(process.env.BENCH_LOAD_SUBSCRIBERS ?? 500);

async function openSubscribers(url: string, count: number): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, 'support', 'ws-clients.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (message: Record<string, unknown>) =>
      message.error ? reject(new Error(JSON.stringify(message.error))) : resolve(),
    );
    child.send({ open: { url, count, subscribe: 'orders' } });
  });
  return child;
}

async function main(): Promise<void> {
  const workload = await startWorkload();
  const wsUrl = `${workload.server.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(workload.readKey)}`;
  const subscribers = await openSubscribers(wsUrl, SUBSCRIBERS);
  try {
    console.log(`capacity (steps of 4 s, ${SUBSCRIBERS} WebSocket subscribers of orders):`);
    const capacity = await findCapacity(workload, 4);
    console.log(`  capacity: ${capacity.totalRps.toFixed(0)} req/s`);
    const readRate = Math.round(capacity.reads.requestsPerSecond * 0.8);
    const orderRate = Math.round(capacity.orders.requestsPerSecond * 0.8);
    console.log(`holding 80 % (${readRate + orderRate} req/s) for ${HOLD_SECONDS} s:`);
    const held = await runMixed(workload, HOLD_SECONDS, {
      readConnections: 24,
      orderConnections: 8,
      readRate,
      orderRate,
    });
    console.log(`  ${describe('dashboards (6 routes)', held.reads)}`);
    console.log(`  ${describe('orders (place + cancel)', held.orders)}`);
    const stats = await getJson<{ totalConnections: number }>(workload, '/api/websocket/stats');
    const orders = await accountForOrders(workload);
    const errors = held.reads.errors + held.orders.errors;
    console.log(`  WebSocket clients still connected: ${stats.totalConnections} of ${SUBSCRIBERS}`);
    console.log(
      `  order placements sent: ${workload.attempted}, answered 201: ${workload.placed}, found by id: ${orders.found}; ` +
        `stored: ${orders.stored} (the rest were under way when a run ended); unsettled: ${orders.unsettled}`,
    );
    const accounted =
      orders.missing === 0 &&
      orders.unsettled === 0 &&
      orders.stored >= workload.placed &&
      orders.stored <= workload.attempted;
    console.log(`target: 0 errors other than 429 — ${errors === 0 ? 'met' : `NOT met (${errors})`}`);
    console.log(
      `target: every order answered 201 in the database, none unsettled — ${accounted ? 'met' : 'NOT met'}`,
    );
  } finally {
    subscribers.kill();
    await workload.server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
