/**
 * Soak: the mixed workload at 50 % of capacity for 10 minutes (BENCH_SOAK_SECONDS) with bots running
 * (the default paper bot on breakout_v1, and a DCA bot), against the real application on PGlite. The
 * server's resident memory and V8 heap at the start (after a minute of warm-up), middle and end, the
 * event-loop lag p99 over the run (the server's own samples), and errors. Targets (issue 19): memory
 * growth after warm-up ≤ 10 %, no error (every order answered 201 found by id, none unsettled).
 */
import { percentile } from './support/load';
import {
  accountForOrders,
  describe,
  findCapacity,
  getJson,
  runMixed,
  startWorkload,
  Workload,
} from './support/mixed-workload';
import { post } from './support/principals';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const WARMUP_SECONDS = Math.min(60, Math.round(SECONDS / 10));
const SLICE_SECONDS = 20;

interface Performance {
  memoryUsedMb: number;
  heapUsedMb: number;
  eventLoopLagMs: number;
}

async function startBots(workload: Workload): Promise<void> {
  const url = workload.server.url;
  await post(`${url}/api/engine/start`, { preset: 'breakout_v1', mode: 'paper' }, workload.adminToken);
  await post(
    `${url}/api/bots`,
    {
      name: 'soak-dca',
      preset: 'dca_conservative_v1',
      mode: 'paper',
      symbols: ['BTC/USDT', 'ETH/USDT'],
      start: true,
    },
    workload.adminToken,
  ).catch((error: unknown) => console.log(`  (no DCA bot: ${String(error).slice(0, 120)})`));
}

async function main(): Promise<void> {
  const workload = await startWorkload();
  try {
    await startBots(workload);
    const capacity = await findCapacity(workload, 4);
    const readRate = Math.round(capacity.reads.requestsPerSecond * 0.5);
    const orderRate = Math.round(capacity.orders.requestsPerSecond * 0.5);
    console.log(
      `capacity ${capacity.totalRps.toFixed(0)} req/s; soaking at 50 % (${readRate + orderRate} req/s) for ${SECONDS} s`,
    );
    const samples: Array<{ at: number } & Performance> = [];
    let errors = 0;
    let rateLimited = 0;
    const started = Date.now();
    let warm: Performance | undefined;
    for (let elapsed = 0; elapsed < SECONDS; elapsed += SLICE_SECONDS) {
      const slice = await runMixed(workload, SLICE_SECONDS, {
        readConnections: 12,
        orderConnections: 4,
        readRate,
        orderRate,
      });
      errors += slice.reads.errors + slice.orders.errors;
      rateLimited += slice.reads.rateLimited + slice.orders.rateLimited;
      const sample = await getJson<Performance>(workload, '/api/metrics/performance');
      samples.push({ at: (Date.now() - started) / 1000, ...sample });
      if (!warm && elapsed + SLICE_SECONDS >= WARMUP_SECONDS) warm = sample;
      if (elapsed % 120 === 0)
        console.log(
          `  ${Math.round((Date.now() - started) / 1000)} s: ${describe('reads', slice.reads)}; RSS ${sample.memoryUsedMb} MB, heap ${sample.heapUsedMb} MB`,
        );
    }
    const middle = samples[Math.floor(samples.length / 2)];
    const end = samples[samples.length - 1];
    const start = warm ?? samples[0];
    const growth = (end.memoryUsedMb - start.memoryUsedMb) / start.memoryUsedMb;
    const heapGrowth = (end.heapUsedMb - start.heapUsedMb) / start.heapUsedMb;
    const lagP99 = percentile(
      samples.map((sample) => sample.eventLoopLagMs),
      99,
    );
    const orders = await accountForOrders(workload);
    console.log(
      `memory after ${WARMUP_SECONDS} s warm-up: RSS ${start.memoryUsedMb} MB, heap ${start.heapUsedMb} MB`,
    );
    console.log(`memory at the middle: RSS ${middle.memoryUsedMb} MB, heap ${middle.heapUsedMb} MB`);
    console.log(`memory at the end: RSS ${end.memoryUsedMb} MB, heap ${end.heapUsedMb} MB`);
    console.log(
      `growth after warm-up: RSS ${(growth * 100).toFixed(1)} %, heap ${(heapGrowth * 100).toFixed(1)} %`,
    );
    console.log(`event-loop lag p99 over the server's samples: ${lagP99} ms`);
    console.log(
      `orders sent ${workload.attempted}, answered 201 ${workload.placed}, found by id ${orders.found}, ` +
        `stored ${orders.stored} (with the bots' own orders), unsettled ${orders.unsettled}; ${rateLimited} × 429`,
    );
    console.log(`target: RSS growth after warm-up ≤ 10 % — ${growth <= 0.1 ? 'met' : 'NOT met'}`);
    console.log(
      `target: no error — ${errors === 0 && orders.missing === 0 && orders.unsettled === 0 ? 'met' : `NOT met (${errors} errors)`}`,
    );
  } finally {
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
