/**
 * Analytics answers, through HTTP on the real application (PGlite in a throw-away folder, or
 * DATABASE_URL): the equity of 90 days of minute points (rolled up, as the hourly job does) and
 * performance over `all` of 10,000 closed trades. Floors, in the same run: a raw SELECT of the same
 * equity points and of the same trades' columns.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { EquityPoints } from '../src/analytics/equity-points.repository';
import { createApp } from '../src/bootstrap';
import { benchConfig } from './support/bench-config';
import { median } from './support/load';
import { BENCH_ADMIN, readOnlyCredentials } from './support/principals';

const DAY = 86_400_000;
const TRADES = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const EQUITY_TARGET_MS = 50;
const PERFORMANCE_TARGET_MS = 100;

async function timed(work: () => Promise<unknown>, rounds: number): Promise<number> {
  await work();
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-analytics-'));
  const app = await createApp(benchConfig(dataDir, { MARKET_SIMULATION: 'false' }), {
    logger: pino({ level: 'warn' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const db = app.get(DataSource);
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const from = new Date(now - 90 * DAY);
    await db.query(`INSERT INTO paper_accounts (name) VALUES ('bench')`);
    // 90 days of minute points, a random walk, then the roll-ups the hourly job makes.
    await db.query(
      `INSERT INTO equity_points (scope, scope_id, resolution, at, measured_at, currency, value, realized_pnl, unrealized_pnl, cumulative_r)
       SELECT 'paper', 'bench', 'minute', t, t, 'USDT', 10000 + 500 * sin(n / 5000.0) + 50 * sin(n / 37.0), n / 1000.0, 0, n / 50000.0
       FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') WITH ORDINALITY AS s(t, n)`,
      [from, new Date(now)],
    );
    const points = app.get(EquityPoints);
    await points.rollUp('minute', 'hour', from);
    await points.rollUp('hour', 'day', from);
    // 10,000 closed trades over the same 90 days on that account.
    await db.query(
      `INSERT INTO trades (id, symbol, side, status, venue, account_id, exchange_id, mode, requested_amount, entry_amount,
         entry_cost, exit_amount, exit_cost, fees, realized_pnl, initial_risk, created_at, opened_at, closed_at)
       SELECT gen_random_uuid(), (ARRAY['BTC/USDT','ETH/USDT','SOL/USDT','XRP/USDT'])[1 + n % 4], 'long', 'CLOSED',
         'paper', 'bench', 'paper', 'paper', 1, 1, 100, 1, 100 + 3 * sin(n), 0.2, 3 * sin(n) - 0.2, 1.5,
         $1::timestamptz + (n * interval '1 minute') * 12, $1::timestamptz + (n * interval '1 minute') * 12,
         $1::timestamptz + (n * interval '1 minute') * 12 + interval '30 minutes'
       FROM generate_series(1, $2::int) AS n`,
      [from, TRADES],
    );
    const { apiKey } = await readOnlyCredentials(base, BENCH_ADMIN);
    const get = async (url: string) => {
      const response = await fetch(`${base}${url}`, { headers: { 'x-api-key': apiKey } });
      if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
      return await response.json();
    };
    const equityUrl = `/api/analytics/equity?accountId=bench&from=${from.toISOString()}&to=${new Date(now).toISOString()}`;
    const equity = (await get(equityUrl)) as unknown[];
    const equityMs = await timed(() => get(equityUrl), ROUNDS);
    const equityFloor = await timed(
      () =>
        db.query(
          `SELECT at, value, realized_pnl, unrealized_pnl, cumulative_r FROM equity_points
           WHERE scope = 'paper' AND scope_id = 'bench' AND resolution = 'day' AND at >= $1 ORDER BY at`,
          [from],
        ),
      ROUNDS,
    );
    const performanceUrl = '/api/analytics/performance?accountId=bench&period=all';
    // The first answer scans the trades in closing order (streaks); later ones, on an unchanged ledger, do
    // not, and after a trade closes only the trades closed since the last scan are read.
    const started = performance.now();
    const report = (await get(performanceUrl)) as { totalTrades: number };
    const coldMs = performance.now() - started;
    if (report.totalTrades !== TRADES) throw new Error(`performance counted ${report.totalTrades} trades`);
    const performanceMs = await timed(() => get(performanceUrl), Math.ceil(ROUNDS / 3));
    let closed = TRADES;
    const afterChangeTimes: number[] = [];
    for (let round = 0; round < Math.ceil(ROUNDS / 3); round++) {
      closed++;
      await db.query(
        `INSERT INTO trades (id, symbol, side, status, venue, account_id, exchange_id, mode, requested_amount, entry_amount,
           entry_cost, exit_amount, exit_cost, fees, realized_pnl, initial_risk, created_at, opened_at, closed_at)
         VALUES (gen_random_uuid(), 'BTC/USDT', 'long', 'CLOSED', 'paper', 'bench', 'paper', 'paper', 1, 1, 100, 1, 101, 0.2,
           0.8, 1.5, $1, $1, $1)`,
        [new Date(now - 60_000 + round)],
      );
      const changedAt = performance.now();
      const changed = (await get(performanceUrl)) as { totalTrades: number };
      afterChangeTimes.push(performance.now() - changedAt);
      if (changed.totalTrades !== closed)
        throw new Error(`performance counted ${changed.totalTrades} of ${closed}`);
    }
    const afterChangeMs = median(afterChangeTimes);
    const performanceFloor = await timed(
      () =>
        db.query(
          `SELECT symbol, realized_pnl, initial_risk, fees, entry_cost, exit_cost, opened_at, closed_at FROM trades
           WHERE venue = 'paper' AND account_id = 'bench' AND status = 'CLOSED' ORDER BY closed_at`,
        ),
      Math.ceil(ROUNDS / 3),
    );
    const driver = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    console.log(
      `analytics on ${driver}: equity of 90 days of minute points (${equity.length} daily points from the roll-ups) ` +
        `${equityMs.toFixed(1)} ms (target <= ${EQUITY_TARGET_MS} ms, ${equityMs <= EQUITY_TARGET_MS ? 'met' : 'NOT met'}; ` +
        `${(equityMs / equityFloor).toFixed(1)}x a raw SELECT of the points, ${equityFloor.toFixed(1)} ms); ` +
        `performance over all of ${TRADES} trades ${performanceMs.toFixed(1)} ms asked again on an unchanged ledger ` +
        `(target <= ${PERFORMANCE_TARGET_MS} ms, ${performanceMs <= PERFORMANCE_TARGET_MS ? 'met' : 'NOT met'}; ` +
        `${(performanceMs / performanceFloor).toFixed(1)}x a raw SELECT of the trades, ${performanceFloor.toFixed(1)} ms), ` +
        `${afterChangeMs.toFixed(1)} ms the first time after a trade closed (${afterChangeMs <= PERFORMANCE_TARGET_MS ? 'met' : 'NOT met'}), ` +
        `${coldMs.toFixed(1)} ms the very first time (a cold process scanning every trade)`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
